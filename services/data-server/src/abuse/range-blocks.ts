import type { RedisClient } from '@outband/redis-limits';

/** Number ranges blocked after a burst of sends (SMS pumping), each for a while: for one merchant, or for all. */
export class RangeBlocks {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private key(range: string, merchantId?: string): string {
    return merchantId === undefined ? `${this.prefix}:blocked-range:{${range}}` : `${this.prefix}:blocked-range:{${range}}:${merchantId}`;
  }

  /** Seconds the range stays blocked (for `merchantId`, or for every merchant), or 0. */
  async blockedFor(range: string, merchantId?: string): Promise<number> {
    const ttl = await this.redis.ttl(this.key(range, merchantId));
    return ttl > 0 ? ttl : 0;
  }

  async block(range: string, seconds: number, now: Date, merchantId?: string): Promise<void> {
    await this.redis.set(this.key(range, merchantId), now.toISOString(), 'EX', seconds);
  }
}
