import { AppError, isAppError } from '@outband/errors';
import type { Logger } from '@outband/observability';
import type { RangeBlocks } from './range-blocks';
import type { RateDecision } from '@outband/redis-limits';
import { destinationOf, type Destination } from './number-policy';

export interface SendGuardDeps {
  hit: (name: string, key: string, limit: number, windowMs: number, now: Date) => Promise<RateDecision>;
  blocks: Pick<RangeBlocks, 'blockedFor' | 'block'>;
  countryLimit: number;
  countryWindowSeconds: number;
  rangeLimit: number;
  rangeWindowSeconds: number;
  rangeBlockSeconds: number;
  /**
   * `merchant`: a burst blocks the range for the merchant that sent it; all merchants together
   * only raise an alert. `global`: the operator's choice to block the range for everyone.
   * @defaultValue 'merchant'
   */
  rangeBlockScope: 'merchant' | 'global';
  /** Sends to one range per window, all merchants together, past which an alert is raised. */
  rangeAlertLimit: number;
  /** Counts each refusal by reason (metrics). */
  onRefusal: (reason: string) => void;
  /** Counts a weak signal that is reported, not enforced (metrics). */
  onAlert: (kind: string) => void;
  logger: Logger;
}

/**
 * Toll-fraud checks before any SMS leaves: the number must be valid, not premium rate, in a
 * country the merchant may send to; a country takes a bounded rate per merchant; a burst to one
 * range of numbers blocks that range for a while and is reported.
 *
 * Only what is actually sent counts towards the windows (`count`, after every other refusal),
 * and windows and blocks are the merchant's own: anyone at one shop's sign-in page can exhaust
 * that shop's budget, never another's, nor block a range for every merchant.
 */
export class SendGuard {
  constructor(private readonly d: SendGuardDeps) {}

  /**
   * Refuses a destination no code may go to now; counts nothing. Answers where the number lies,
   * for `count`. `allowedCountries`: null for any.
   */
  async admit(merchantId: string, address: string, allowedCountries: readonly string[] | null): Promise<Destination> {
    return this.refusing(async () => {
      const to = destinationOf(address, allowedCountries);
      const blocks = await Promise.all([this.d.blocks.blockedFor(to.range), this.d.blocks.blockedFor(to.range, merchantId)]);
      const blocked = Math.max(...blocks);
      if (blocked > 0) {
        throw rangeBlocked(blocked);
      }
      return to;
    });
  }

  /** Counts one send to `to` (as `admit` answered) that passed every other check; refuses it when a window is full. */
  async count(merchantId: string, to: Destination, now: Date): Promise<void> {
    await this.refusing(async () => {
      const country = await this.d.hit(
        'country',
        `${merchantId}:${to.callingCode}`,
        this.d.countryLimit,
        this.d.countryWindowSeconds * 1000,
        now,
      );
      if (!country.allowed) {
        throw new AppError('rate_limited', 'COUNTRY_RATE_LIMITED', `too many codes to +${to.callingCode} numbers recently`, {
          details: { retryAfterSeconds: country.retryAfterSeconds },
        });
      }
      const global = this.d.rangeBlockScope === 'global';
      const range = await this.d.hit('range', `${merchantId}:${to.range}`, this.d.rangeLimit, this.d.rangeWindowSeconds * 1000, now);
      if (!range.allowed) {
        await this.blockRange(to, merchantId, global ? undefined : merchantId, now);
      }
      // Many merchants together near one range is a weak signal (a busy town, a campaign):
      // reported whatever the scope; a block for everyone only where the operator chose it.
      const all = await this.d.hit('range-all', to.range, this.d.rangeAlertLimit, this.d.rangeWindowSeconds * 1000, now);
      if (!all.allowed) {
        if (this.firstAlert(to.range, now)) {
          this.d.onAlert('range_burst');
          this.d.logger.warn({ range: `${to.range}xxxx`, country: to.country }, 'burst of sends to one number range across merchants');
        }
        if (global) {
          await this.blockRange(to, merchantId, undefined, now);
        }
      }
    });
  }

  /** Blocks the range for `scope` (a merchant, or everyone when undefined) and refuses this send. */
  private async blockRange(
    to: { range: string; country: string },
    merchantId: string,
    scope: string | undefined,
    now: Date,
  ): Promise<never> {
    await this.d.blocks.block(to.range, this.d.rangeBlockSeconds, now, scope);
    // An alert, not a routine refusal: ops look at the metric and at this line.
    this.d.logger.warn(
      { range: `${to.range}xxxx`, country: to.country, merchantId, scope: scope === undefined ? 'global' : 'merchant' },
      'burst of sends to one number range: range blocked',
    );
    throw rangeBlocked(this.d.rangeBlockSeconds);
  }

  // A burst is reported once per window and range (per process), not once per send past it.
  private readonly alerted = new Map<string, number>();

  private firstAlert(range: string, now: Date): boolean {
    const until = this.alerted.get(range);
    if (until !== undefined && until > now.getTime()) {
      return false;
    }
    if (this.alerted.size > 10_000) {
      this.alerted.clear(); // bounded: a forgotten range is at worst reported again
    }
    this.alerted.set(range, now.getTime() + this.d.rangeWindowSeconds * 1000);
    return true;
  }

  private async refusing<T>(work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (e) {
      if (isAppError(e)) {
        this.d.onRefusal(e.code.toLowerCase());
      }
      throw e;
    }
  }
}

function rangeBlocked(seconds: number): AppError {
  return new AppError('rate_limited', 'RANGE_BLOCKED', 'too many codes to numbers close to this one: the range is blocked for a while', {
    details: { retryAfterSeconds: seconds },
  });
}
