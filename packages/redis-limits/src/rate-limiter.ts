import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-connection';
import { LuaScript } from './lua-script';

export type RateDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

const slidingWindow = LuaScript.fromFile(__dirname, 'sliding-window');

/** A sliding-window limit in Redis: at most `limit` hits per key within `windowMs`. */
export class RateLimiter {
  private seq = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async hit(name: string, key: string, limit: number, windowMs: number, now: Date): Promise<RateDecision> {
    this.seq = (this.seq + 1) % 1_000_000;
    const member = `${now.getTime()}-${process.pid}-${this.seq}`;
    // Keys hold a hash of what they count (an address is personal data).
    const hashed = createHash('sha256').update(key).digest('hex').slice(0, 32);
    const [allowed, value] = (await slidingWindow.run(
      this.redis,
      [`${this.prefix}:rl:${name}:{${hashed}}`],
      [now.getTime(), windowMs, limit, member],
    )) as [number, number];
    return allowed === 1
      ? { allowed: true, remaining: value }
      : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(value / 1000)) };
  }
}
