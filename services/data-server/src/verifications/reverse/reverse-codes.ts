import type { RedisClient } from '@outband/redis-limits';

/**
 * Codes waiting to be texted back on the reverse channel, found by a keyed hash of the code
 * (never the code): a text names its code, not its verification.
 */
export class ReverseCodes {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private key(codeHash: string): string {
    return `${this.prefix}:reverse:{${codeHash}}`;
  }

  /** Reserves a code for a verification until `ttlMs`; false when another pending one has it. */
  async claim(codeHash: string, verificationId: string, ttlMs: number): Promise<boolean> {
    return (await this.redis.set(this.key(codeHash), verificationId, 'PX', Math.max(1, ttlMs), 'NX')) === 'OK';
  }

  async find(codeHash: string): Promise<string | undefined> {
    return (await this.redis.get(this.key(codeHash))) ?? undefined;
  }

  async release(codeHash: string): Promise<void> {
    await this.redis.del(this.key(codeHash));
  }
}
