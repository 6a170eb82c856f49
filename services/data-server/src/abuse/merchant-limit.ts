import type { RateDecision, RateLimiter } from '@outband/redis-limits';
import type { MerchantPolicy } from '../merchants/merchant.repository';

/**
 * A merchant's starts, in two tiers: per second (bursts) and per day (volume), each the
 * merchant's policy or the installation's default. Both are counted in one round trip, and a
 * start either tier refuses counts in neither.
 */
export function merchantLimit(
  limiter: Pick<RateLimiter, 'hitAll'>,
  defaults: { perSecond: number; perDay: number },
): (merchantId: string, policy: Pick<MerchantPolicy, 'limitPerSecond' | 'limitPerDay'>, now: Date) => Promise<RateDecision> {
  return (merchantId, policy, now) =>
    limiter.hitAll(
      merchantId,
      [
        { name: 'merchant-s', limit: policy.limitPerSecond ?? defaults.perSecond, windowMs: 1000 },
        { name: 'merchant-d', limit: policy.limitPerDay ?? defaults.perDay, windowMs: 86_400_000 },
      ],
      now,
    );
}
