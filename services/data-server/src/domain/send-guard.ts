import { AppError, isAppError } from '@outband/errors';
import type { Logger } from '@outband/observability';
import type { RangeBlocks } from '../adapters/range-blocks';
import type { RateDecision } from '@outband/redis-limits';
import { destinationOf } from './number-policy';

export interface SendGuardDeps {
  hit: (name: string, key: string, limit: number, windowMs: number, now: Date) => Promise<RateDecision>;
  blocks: Pick<RangeBlocks, 'blockedFor' | 'block'>;
  countryLimit: number;
  countryWindowSeconds: number;
  rangeLimit: number;
  rangeWindowSeconds: number;
  rangeBlockSeconds: number;
  /** Counts each refusal by reason (metrics). */
  onRefusal: (reason: string) => void;
  logger: Logger;
}

/**
 * Toll-fraud checks before any SMS leaves: the number must be valid, not premium rate, in a
 * country the merchant may send to; a country takes a bounded rate; a burst to one range of
 * numbers blocks that range for a while and is reported.
 */
export class SendGuard {
  constructor(private readonly d: SendGuardDeps) {}

  /** `allowedCountries`: the merchant's policy (null: any country). */
  async check(merchantId: string, address: string, allowedCountries: readonly string[] | null, now: Date): Promise<void> {
    try {
      await this.checkOrThrow(merchantId, address, allowedCountries, now);
    } catch (e) {
      if (isAppError(e)) {
        this.d.onRefusal(e.code.toLowerCase());
      }
      throw e;
    }
  }

  private async checkOrThrow(merchantId: string, address: string, allowedCountries: readonly string[] | null, now: Date): Promise<void> {
    const to = destinationOf(address, allowedCountries);
    const blocked = await this.d.blocks.blockedFor(to.range);
    if (blocked > 0) {
      throw rangeBlocked(blocked);
    }
    const country = await this.d.hit('country', to.callingCode, this.d.countryLimit, this.d.countryWindowSeconds * 1000, now);
    if (!country.allowed) {
      throw new AppError('rate_limited', 'COUNTRY_RATE_LIMITED', `too many codes to +${to.callingCode} numbers recently`, {
        details: { retryAfterSeconds: country.retryAfterSeconds },
      });
    }
    const range = await this.d.hit('range', to.range, this.d.rangeLimit, this.d.rangeWindowSeconds * 1000, now);
    if (!range.allowed) {
      await this.d.blocks.block(to.range, this.d.rangeBlockSeconds, now);
      // An alert, not a routine refusal: ops look at the metric and at this line.
      this.d.logger.warn(
        { range: `${to.range}xxxx`, country: to.country, merchantId },
        'burst of sends to one number range: range blocked',
      );
      throw rangeBlocked(this.d.rangeBlockSeconds);
    }
  }
}

function rangeBlocked(seconds: number): AppError {
  return new AppError('rate_limited', 'RANGE_BLOCKED', 'too many codes to numbers close to this one: the range is blocked for a while', {
    details: { retryAfterSeconds: seconds },
  });
}
