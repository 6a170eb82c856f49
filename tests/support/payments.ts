import { seedDemo, type DemoSeed } from '@outband/data-server';
import { api, type Answer } from './http';
import type { Suite } from './suite';

export type Policy = NonNullable<DemoSeed['policy']>;

/** A policy that secures every payment by its code, authorizes before sending it, and bills by amount. */
export const everyPaymentSecured: Policy = {
  limitAmount: null,
  lowValueRule: 'none',
  authorizeAfterCheck: false,
  billingMode: 'amount',
  serviceChargeBps: 0,
};

/** Sets the default merchant's payment policy (the admin API comes later). */
export async function setPolicy(suite: Suite, policy: Policy): Promise<void> {
  await seedDemo(suite.databaseUrl, { merchant: { id: suite.merchant.id, name: 'Test shop', keys: [] }, subscribers: [], policy });
}

export const startPayment = (suite: Suite, source: object, transaction: object): Promise<Answer> =>
  api(suite, 'POST', '/v1/payments', { body: { source, transaction } });

export const checkPayment = (suite: Suite, verificationId: string, code: string, transaction: object): Promise<Answer> =>
  api(suite, 'POST', `/v1/verifications/${verificationId}/check`, { body: { code, transaction } });

/** The simulated bank's view of a card (balance and held amount, minor units). */
export async function card(suite: Suite, token: string): Promise<{ balance: number; held: number }> {
  return (await (await fetch(`${suite.bank.url}/cards/${token}`)).json()) as { balance: number; held: number };
}

export const states = (payment: unknown): string[] => (payment as { history: Array<{ state: string }> }).history.map((h) => h.state);
