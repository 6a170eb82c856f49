import { createHash } from 'node:crypto';
import type { RedisClient } from './redis-connection';
import { LuaScript } from './lua-script';

export type RateDecision = { allowed: true; remaining: number } | { allowed: false; retryAfterSeconds: number };

const slidingWindow = LuaScript.fromFile(__dirname, 'sliding-window');
const slidingWindows = LuaScript.fromFile(__dirname, 'sliding-windows');

/** A sliding-window limit in Redis: at most `limit` hits per key within `windowMs`. */
export class RateLimiter {
  private seq = 0;

  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  async hit(name: string, key: string, limit: number, windowMs: number, now: Date): Promise<RateDecision> {
    const [allowed, value] = (await slidingWindow.run(
      this.redis,
      [this.keyOf(name, key)],
      [now.getTime(), windowMs, limit, this.member(now)],
    )) as [number, number];
    return decision(allowed, value);
  }

  /**
   * One hit of `key` in several windows at once (a merchant's second and day), in one round trip:
   * counted in all of them, or, when one is full, in none. Their keys share `key`'s hash tag.
   */
  async hitAll(key: string, windows: ReadonlyArray<{ name: string; limit: number; windowMs: number }>, now: Date): Promise<RateDecision> {
    const [allowed, value] = (await slidingWindows.run(
      this.redis,
      windows.map((w) => this.keyOf(w.name, key)),
      [now.getTime(), this.member(now), ...windows.flatMap((w) => [w.windowMs, w.limit])],
    )) as [number, number];
    return decision(allowed, value);
  }

  // Keys hold a hash of what they count (an address is personal data).
  private keyOf(name: string, key: string): string {
    const hashed = createHash('sha256').update(key).digest('hex').slice(0, 32);
    return `${this.prefix}:rl:${name}:{${hashed}}`;
  }

  private member(now: Date): string {
    this.seq = (this.seq + 1) % 1_000_000;
    return `${now.getTime()}-${process.pid}-${this.seq}`;
  }
}

function decision(allowed: number, value: number): RateDecision {
  return allowed === 1 ? { allowed: true, remaining: value } : { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil(value / 1000)) };
}
