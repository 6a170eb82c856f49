import type { MerchantPolicy } from '../merchants/merchant.repository';
import type { LowValueHistory } from './payment.repository';

/** PSD2 RTS Art. 16: at most 30 EUR each, and 100 EUR or 5 payments since the last secured one. */
export const lowValue = { maxEach: 3_000, maxCumulative: 10_000, maxCount: 5, currency: 'EUR' };

/**
 * The trusted third party's securing policy (patent Fig. 10): up to the merchant's limit a
 * payment is `normal` (authorized, no code), above it `secured`; the PSD2 low-value rule, when
 * chosen, also sends a code once the cumulative amount or the count is reached.
 */
export function securingOf(policy: MerchantPolicy, amount: number, currency: string, history: LowValueHistory): 'secured' | 'normal' {
  if (!needsHistory(policy, amount, currency)) {
    return policy.limitAmount !== null && amount <= policy.limitAmount && policy.lowValueRule === 'none' ? 'normal' : 'secured';
  }
  const within =
    policy.lowValueRule === 'count'
      ? history.count + 1 <= lowValue.maxCount
      : (history.sums.get(lowValue.currency) ?? 0) + amount <= lowValue.maxCumulative;
  return within ? 'normal' : 'secured';
}

/** Whether `securingOf` reads the subscriber's earlier payments for this one (the low-value rule applies). */
export function needsHistory(policy: MerchantPolicy, amount: number, currency: string): boolean {
  return (
    policy.limitAmount !== null &&
    amount <= policy.limitAmount &&
    policy.lowValueRule !== 'none' &&
    currency === lowValue.currency &&
    amount <= lowValue.maxEach
  );
}
