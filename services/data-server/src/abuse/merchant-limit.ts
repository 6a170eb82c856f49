import type { RateDecision, RateLimiter } from '@outband/redis-limits';
import type { MerchantPolicy } from '../merchants/merchant.repository';

/**
 * A merchant's starts, in two tiers: per second (bursts) and per day (volume), each the
 * merchant's policy or the installation's default. The day is not counted for a start the
 * second refused.
 */
export function merchantLimit(
  limiter: Pick<RateLimiter, 'hit'>,
  defaults: { perSecond: number; perDay: number },
): (merchantId: string, policy: Pick<MerchantPolicy, 'limitPerSecond' | 'limitPerDay'>, now: Date) => Promise<RateDecision> {
  return async (merchantId, policy, now) => {
    const second = await limiter.hit('merchant-s', merchantId, policy.limitPerSecond ?? defaults.perSecond, 1000, now);
    return second.allowed ? limiter.hit('merchant-d', merchantId, policy.limitPerDay ?? defaults.perDay, 86_400_000, now) : second;
  };
}
