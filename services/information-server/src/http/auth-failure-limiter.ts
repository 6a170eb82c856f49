import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Logger } from '@outband/observability';

/** Counts failed credential attempts per source, and says when a source must wait. */
export interface AuthFailureLimit {
  /** Seconds `source` must wait before it may try again; undefined when it may try now. */
  blockedFor(source: string): Promise<number | undefined>;
  /** Records one failed attempt of `source`. */
  failed(source: string): Promise<void>;
}

export interface AuthFailureLimiterOptions {
  /** Failed attempts allowed before the source is refused. @defaultValue 10 */
  limit: number;
  /** How long a failure is remembered, from the last one. @defaultValue 15 min */
  windowMs: number;
}

/**
 * Failed attempts per source in Redis, so every instance counts them. Each failure restarts the
 * window: a source that keeps guessing stays refused. If Redis cannot answer the attempt goes on
 * (logged), as with the request limits: an outage must not lock operators out.
 */
export class AuthFailureLimiter implements AuthFailureLimit {
  constructor(
    private readonly redis: Redis,
    private readonly prefix: string,
    private readonly o: AuthFailureLimiterOptions,
    private readonly logger: Logger,
  ) {}

  async blockedFor(source: string): Promise<number | undefined> {
    const key = this.keyOf(source);
    try {
      const [count, ttl] = await Promise.all([this.redis.get(key), this.redis.pttl(key)]);
      return Number(count ?? 0) >= this.o.limit && ttl > 0 ? Math.ceil(ttl / 1000) : undefined;
    } catch (err) {
      this.logger.warn({ err }, 'operator auth failures not checked: Redis did not answer');
      return undefined;
    }
  }

  async failed(source: string): Promise<void> {
    const key = this.keyOf(source);
    try {
      await this.redis.multi().incr(key).pexpire(key, this.o.windowMs).exec();
    } catch (err) {
      this.logger.warn({ err }, 'operator auth failure not recorded: Redis did not answer');
    }
  }

  // A hash of the address: keys hold no personal data.
  private keyOf(source: string): string {
    return `${this.prefix}:auth-failures:${createHash('sha256').update(source).digest('hex').slice(0, 32)}`;
  }
}
