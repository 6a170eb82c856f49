import type { PaymentView } from '@outband/contracts';
import type { PaymentEvent, PaymentRecord } from './payment.repository';
import type { Subscriber } from '../subscribers/subscriber.repository';
import { maskAddress } from '../verifications/mask-address';
import { terminalTicket } from './terminal-ticket';

/** The merchant's view of a payment: its state, what it pays, whose phone got the code, its history. */
export function toPaymentView(p: PaymentRecord, subscriber: Subscriber | undefined, history: PaymentEvent[]): PaymentView {
  // The history is read after the payment: a transition committed in between (a capture that
  // follows the check) is in it, so its latest event is the state the answer shows.
  const last = history.at(-1);
  const newer = last && last.state !== p.state && last.at >= p.updatedAt ? last : undefined;
  const state = newer?.state ?? p.state;
  const cause = newer ? newer.cause : p.cause;
  return {
    id: p.id,
    state,
    securing: p.securing,
    source: p.source,
    amount: p.transaction.amount,
    currency: p.transaction.currency,
    payee: p.transaction.payee,
    ...(cause ? { cause } : {}),
    ...(p.verificationId ? { verificationId: p.verificationId } : {}),
    ...(subscriber ? { to: maskAddress(subscriber.address) } : {}),
    ...(p.source === 'terminal' && state === 'captured' ? { ticket: terminalTicket(p, history.at(-1)?.at ?? p.updatedAt) } : {}),
    history: history.map((h) => ({ state: h.state, at: h.at.toISOString(), ...(h.cause ? { cause: h.cause } : {}) })),
    createdAt: p.createdAt.toISOString(),
    updatedAt: (newer?.at ?? p.updatedAt).toISOString(),
  };
}
