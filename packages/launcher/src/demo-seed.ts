import type { DemoSeed } from '@outband/data-server';

/** The demo's subscribers: the shop's sign-ins and the handsets of the phone page. */
export const demoSubscribers: DemoSeed['subscribers'] = [
  { identifier: 'alice', address: '+33612345678', cardToken: 'tok_alice', bankCustomerId: 'cu_alice' },
  { identifier: 'bob', address: '+4915112345678', locale: 'en', cardToken: 'tok_bob', bankCustomerId: 'cu_bob' },
  { identifier: 'claire', address: '+33611223344', locale: 'fr', cardToken: 'tok_claire', bankCustomerId: 'cu_claire' },
  { identifier: 'carol', address: '+33698765432', status: 'suspended', cardToken: 'tok_carol', bankCustomerId: 'cu_carol' },
  { identifier: 'pager-1', address: '+33756000001', receiverKind: 'pager-numeric' },
];

/** The banner's lines for the subscribers: each with its phone number and what is special about it. */
export function subscriberLines(): string[] {
  const width = Math.max(...demoSubscribers.map((s) => s.identifier.length));
  return demoSubscribers.map((s) => {
    const notes = [
      s.locale === 'fr' ? 'texts in French' : undefined,
      s.status === 'suspended' ? 'suspended: gets no code' : undefined,
      s.receiverKind === 'pager-numeric' ? 'numeric pager' : undefined,
    ].filter((n) => n !== undefined);
    return `${s.identifier.padEnd(width)}  ${s.address.padEnd(15)}${notes.length > 0 ? `  (${notes.join(', ')})` : ''}`.trimEnd();
  });
}
