import type { Redis } from 'ioredis';

/** Number ranges blocked after a burst of sends (SMS pumping), each for a while. */
export class RangeBlocks {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  private key(range: string): string {
    return `${this.prefix}:blocked-range:{${range}}`;
  }

  /** Seconds the range stays blocked, or 0. */
  async blockedFor(range: string): Promise<number> {
    const ttl = await this.redis.ttl(this.key(range));
    return ttl > 0 ? ttl : 0;
  }

  async block(range: string, seconds: number, now: Date): Promise<void> {
    await this.redis.set(this.key(range), now.toISOString(), 'EX', seconds);
  }
}
