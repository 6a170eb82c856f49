import type { Redis } from 'ioredis';

/** Remembers token ids until their tokens expire: a token with a `jti` is accepted once. */
export class TokenReplayGuard {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
  ) {}

  /** True the first time `(issuer, jti)` is seen before `expSeconds`; false on a replay. */
  async firstUse(issuer: string, jti: string, expSeconds: number): Promise<boolean> {
    const ttlMs = Math.max(1000, expSeconds * 1000 - Date.now());
    const set = await this.redis.set(`${this.prefix}:jti:{${issuer}}:${jti}`, '1', 'PX', ttlMs, 'NX');
    return set === 'OK';
  }
}
