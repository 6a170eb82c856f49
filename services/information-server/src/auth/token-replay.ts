import type { RedisClient } from '@outband/redis-limits';

/** Remembers token ids as long as their tokens are accepted: a token with a `jti` is accepted once. */
export class TokenReplayGuard {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  /**
   * True the first time `(issuer, jti)` is seen; false on a replay. `untilSeconds` is when the
   * token stops being accepted (its `exp` plus the clock skew): the id is kept until then.
   */
  async firstUse(issuer: string, jti: string, untilSeconds: number): Promise<boolean> {
    const ttlMs = Math.max(1000, untilSeconds * 1000 - Date.now());
    const set = await this.redis.set(`${this.prefix}:jti:{${issuer}}:${jti}`, '1', 'PX', ttlMs, 'NX');
    return set === 'OK';
  }
}
