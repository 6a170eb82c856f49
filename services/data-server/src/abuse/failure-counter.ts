import type { RedisClient } from '@outband/redis-limits';

/**
 * Consecutive failed checks per subscriber (NIST SP 800-63B-4 §3.1.3: a new code does not reset
 * it). Reaching the limit blocks the subscriber for `blockSeconds`; an approval resets it.
 */
export class FailureCounter {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly limit: number,
    private readonly blockSeconds: number,
    /** How long past blocks count towards a permanent one. */
    private readonly historySeconds = 30 * 86_400,
  ) {}

  private key(holder: number | string): string {
    return `${this.prefix}:failures:{s${holder}}`;
  }

  /** Seconds the subscriber stays blocked, or 0 when not blocked. */
  async blockedFor(holder: number | string): Promise<number> {
    const [count, ttl] = await Promise.all([this.redis.get(this.key(holder)), this.redis.ttl(this.key(holder))]);
    return Number(count ?? 0) >= this.limit ? Math.max(1, ttl) : 0;
  }

  /**
   * Counts one failure; the one that reaches the limit starts the block. Answers how many
   * blocks the subscriber has had within the history window when this one started one, else 0.
   */
  async add(holder: number | string): Promise<number> {
    const count = await this.redis.incr(this.key(holder));
    if (count !== this.limit) {
      return 0;
    }
    await this.redis.expire(this.key(holder), this.blockSeconds);
    const blocks = `${this.prefix}:blocks:{s${holder}}`;
    const [[, n] = []] = (await this.redis.multi().incr(blocks).expire(blocks, this.historySeconds).exec()) ?? [];
    return Number(n ?? 1);
  }

  async reset(holder: number | string): Promise<void> {
    await this.redis.del(this.key(holder));
  }
}
