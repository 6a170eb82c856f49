import { toPaymentView } from './payment-view';
import type { PaymentEvent, PaymentRecord } from './payment.repository';

const at = (s: number) => new Date(Date.UTC(2026, 0, 1, 10, 0, s));
const payment: PaymentRecord = {
  id: 'pa_1',
  merchantId: 'shop',
  subscriberId: 1,
  source: 'contract',
  terminalId: null,
  cardToken: 'tok_alice',
  transaction: { amount: 5000, currency: 'EUR', payee: 'Shop' },
  securing: 'secured',
  authorizeAfterCheck: false,
  state: 'verified',
  cause: null,
  authorizationId: 'au_1',
  verificationId: 've_1',
  createdAt: at(0),
  updatedAt: at(3),
};
const history = (...states: Array<[PaymentEvent['state'], number, string?]>): PaymentEvent[] =>
  states.map(([state, s, cause]) => ({ state, at: at(s), cause: cause ?? null }));

it('shows the state of the latest event when a transition committed between reading the payment and its history', () => {
  const view = toPaymentView(
    payment,
    undefined,
    history(['created', 0, 'secured'], ['authorized', 1], ['code_sent', 2], ['verified', 3], ['captured', 4]),
  );
  expect(view).toMatchObject({ state: 'captured', updatedAt: at(4).toISOString() });
  expect(view.history.map((h) => h.state).at(-1)).toBe('captured');
});

it("shows the payment's own state when its history holds nothing newer", () => {
  const view = toPaymentView(payment, undefined, history(['created', 0, 'secured'], ['authorized', 1], ['code_sent', 2], ['verified', 3]));
  expect(view).toMatchObject({ state: 'verified', updatedAt: at(3).toISOString() });
  expect(view.cause).toBeUndefined();
});
