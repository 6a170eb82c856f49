import { defaultPolicy } from '../merchants/merchant.repository';
import { securingOf } from './securing';

const none = { count: 0, sums: new Map<string, number>() };
const history = (count: number, eur: number) => ({ count, sums: new Map([['EUR', eur]]) });

describe('securingOf', () => {
  it('secures everything without a limit, and above the limit', () => {
    expect(securingOf(defaultPolicy, 1, 'EUR', none)).toBe('secured');
    const policy = { ...defaultPolicy, limitAmount: 5_000 };
    expect(securingOf(policy, 5_000, 'EUR', none)).toBe('normal');
    expect(securingOf(policy, 5_001, 'EUR', none)).toBe('secured');
  });

  it('applies the cumulative 100 EUR rule on both sides of the line', () => {
    const policy = { ...defaultPolicy, limitAmount: 3_000, lowValueRule: 'cumulative_amount' as const };
    expect(securingOf(policy, 3_000, 'EUR', history(3, 7_000))).toBe('normal');
    expect(securingOf(policy, 3_001, 'EUR', history(0, 0))).toBe('secured');
    expect(securingOf(policy, 2_000, 'EUR', history(4, 8_001))).toBe('secured');
    expect(securingOf(policy, 1_000, 'USD', none)).toBe('secured');
  });

  it('applies the 5-payment rule on both sides of the line', () => {
    const policy = { ...defaultPolicy, limitAmount: 3_000, lowValueRule: 'count' as const };
    expect(securingOf(policy, 100, 'EUR', history(4, 400))).toBe('normal');
    expect(securingOf(policy, 100, 'EUR', history(5, 500))).toBe('secured');
  });
});
