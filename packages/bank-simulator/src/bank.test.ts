import { Bank, BankConflict } from './bank';

function bank() {
  const b = new Bank();
  b.addCard({
    token: 'tok_a',
    pan: '4000000000000002',
    customerId: 'cu_a',
    currency: 'EUR',
    balance: 10_000,
    blocked: false,
    doNotHonor: false,
  });
  return b;
}
const req = { cardToken: 'tok_a', amount: 4_000, currency: 'EUR', merchantId: 'shop', reference: 'pa_1' };

describe('Bank', () => {
  it('holds on authorize, takes on capture, and answers a repeated key as the first time', () => {
    const b = bank();
    const a = b.authorize('k1', req);
    expect(b.authorize('k1', req)).toBe(a);
    expect(b.card('tok_a')).toMatchObject({ balance: 10_000, held: 4_000 });
    b.capture(a.id);
    b.capture(a.id);
    expect(b.card('tok_a')).toMatchObject({ balance: 6_000, held: 0 });
    expect(() => b.void(a.id)).toThrow(BankConflict);
  });

  it('releases the hold on void and refuses a capture afterwards', () => {
    const b = bank();
    const a = b.authorize('k1', req);
    b.void(a.id);
    expect(b.card('tok_a')).toMatchObject({ balance: 10_000, held: 0 });
    expect(() => b.capture(a.id)).toThrow(BankConflict);
  });

  it('declines beyond the available funds, blocked cards, do-not-honor and unknown cards', () => {
    const b = bank();
    b.authorize('k1', { ...req, amount: 8_000 });
    expect(b.authorize('k2', { ...req, amount: 3_000 })).toMatchObject({ status: 'declined', declineReason: 'insufficient_funds' });
    b.addCard({ token: 'tok_b', pan: '1', customerId: 'cu_b', currency: 'EUR', balance: 1e6, blocked: true, doNotHonor: false });
    b.addCard({ token: 'tok_c', pan: '2', customerId: 'cu_c', currency: 'EUR', balance: 1e6, blocked: false, doNotHonor: true });
    expect(b.authorize('k3', { ...req, cardToken: 'tok_b' }).declineReason).toBe('card_blocked');
    expect(b.authorize('k4', { ...req, cardToken: 'tok_c' }).declineReason).toBe('do_not_honor');
    expect(b.authorize('k5', { ...req, cardToken: 'nope' }).declineReason).toBe('unknown_card');
  });

  it('identifies the customer behind a card number', () => {
    expect(bank().identify('4000000000000002')).toEqual({ customerId: 'cu_a', cardToken: 'tok_a' });
    expect(bank().identify('4111111111111111')).toBeUndefined();
  });
});
