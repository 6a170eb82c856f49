import type { Redis } from 'ioredis';

/**
 * Consecutive failed checks per subscriber (NIST SP 800-63B-4 §3.1.3: a new code does not reset
 * it). Reaching the limit blocks the subscriber for `blockSeconds`; an approval resets it.
 */
export class FailureCounter {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly limit: number,
    private readonly blockSeconds: number,
  ) {}

  private key(subscriberId: number): string {
    return `${this.prefix}:failures:{s${subscriberId}}`;
  }

  /** Seconds the subscriber stays blocked, or 0 when not blocked. */
  async blockedFor(subscriberId: number): Promise<number> {
    const [count, ttl] = await Promise.all([this.redis.get(this.key(subscriberId)), this.redis.ttl(this.key(subscriberId))]);
    return Number(count ?? 0) >= this.limit ? Math.max(1, ttl) : 0;
  }

  /** Counts one failure; the one that reaches the limit starts the block. */
  async add(subscriberId: number): Promise<void> {
    const count = await this.redis.incr(this.key(subscriberId));
    if (count >= this.limit) {
      await this.redis.expire(this.key(subscriberId), this.blockSeconds);
    }
  }

  async reset(subscriberId: number): Promise<void> {
    await this.redis.del(this.key(subscriberId));
  }
}
