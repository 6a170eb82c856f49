import { createHash } from 'node:crypto';
import { isIPv4, isIPv6 } from 'node:net';
import type { Logger } from '@outband/observability';
import { LuaScript, type RedisClient } from '@outband/redis-limits';

/**
 * Counts credential attempts per source, before they are compared: parallel guesses cannot all
 * pass a check made before any of them is counted.
 */
export interface AuthFailureLimit {
  /**
   * Counts one attempt of `source` that carries credentials. Answers the seconds it must wait when
   * it is over the limit (the credentials must then not be compared), undefined when it may go on.
   */
  attempt(source: string): Promise<number | undefined>;
  /** The attempt was wrong: the window starts again from now. */
  failed(source: string): Promise<void>;
  /** The attempt was right: it is given back, only wrong ones are held against the source. */
  succeeded(source: string): Promise<void>;
  /** Seconds `source` must wait, without counting anything (a request without credentials). */
  blockedFor(source: string): Promise<number | undefined>;
}

export interface AuthFailureLimiterOptions {
  /** Failed attempts allowed before the source is refused. @defaultValue 10 */
  limit: number;
  /** How long a failure is remembered, from the last one. @defaultValue 15 min */
  windowMs: number;
}

const countAttempt = LuaScript.fromFile(__dirname, 'count-attempt');
const refundAttempt = LuaScript.fromFile(__dirname, 'refund-attempt');

/**
 * Attempts per source in Redis (or the embedded in-memory store), so every instance counts them.
 * Each failure restarts the window: a source that keeps guessing stays refused. If Redis cannot
 * answer the attempt goes on (logged), as with the request limits: an outage must not lock
 * operators out.
 */
export class AuthFailureLimiter implements AuthFailureLimit {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
    private readonly o: AuthFailureLimiterOptions,
    private readonly logger: Logger,
  ) {}

  async attempt(source: string): Promise<number | undefined> {
    try {
      const waitMs = Number(await countAttempt.run(this.redis, [this.keyOf(source)], [this.o.limit, this.o.windowMs]));
      return waitMs > 0 ? Math.ceil(waitMs / 1000) : undefined;
    } catch (err) {
      this.logger.warn({ err }, 'operator auth attempt not counted: Redis did not answer');
      return undefined;
    }
  }

  async failed(source: string): Promise<void> {
    try {
      await this.redis.pexpire(this.keyOf(source), this.o.windowMs);
    } catch (err) {
      this.logger.warn({ err }, 'operator auth failure window not restarted: Redis did not answer');
    }
  }

  async succeeded(source: string): Promise<void> {
    try {
      await refundAttempt.run(this.redis, [this.keyOf(source)], []);
    } catch (err) {
      this.logger.warn({ err }, 'operator auth attempt not given back: Redis did not answer');
    }
  }

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

  // A hash of the address block: keys hold no personal data.
  private keyOf(source: string): string {
    return `${this.prefix}:auth-failures:${createHash('sha256').update(addressBlock(source)).digest('hex').slice(0, 32)}`;
  }
}

/**
 * What attempts are counted by: an IPv4 address, or the /64 of an IPv6 one (a single host is
 * usually given a whole /64, so counting its addresses one by one would let it rotate through
 * them). An IPv4 address written as IPv6 (`::ffff:a.b.c.d`) is that IPv4 address.
 */
export function addressBlock(ip: string): string {
  if (isIPv4(ip)) {
    return ip;
  }
  const address = ip.split('%')[0] ?? ip; // a zone index names a link, not a host
  const groups = isIPv6(address) ? ipv6Groups(address) : undefined;
  if (!groups) {
    return ip;
  }
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address (with `::` and a dotted IPv4 tail). */
function ipv6Groups(ip: string): number[] | undefined {
  let text = ip.toLowerCase();
  const tail = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (tail) {
    const [a, b, c, d] = tail.slice(1).map(Number) as [number, number, number, number];
    text = `${text.slice(0, tail.index)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [head = '', rest] = text.split('::');
  const left = head ? head.split(':') : [];
  const right = rest ? rest.split(':') : [];
  const filler = rest === undefined ? [] : Array<string>(8 - left.length - right.length).fill('0');
  const groups = [...left, ...filler, ...right].map((g) => parseInt(g, 16));
  return groups.length === 8 && groups.every((g) => Number.isInteger(g) && g >= 0 && g <= 0xffff) ? groups : undefined;
}
