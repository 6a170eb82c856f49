import { LuaScript, type RedisClient } from '@outband/redis-limits';
import { TokenBucket } from './token-bucket';

/** An SMSC account's contracted submit rate, over all its binds. */
export interface AccountRate {
  /** Takes a token now, or says how long until one may be there. */
  take(now: number): { ok: true } | { ok: false; waitMs: number };
  /** Gives back a token taken for a submit that did not go out. */
  giveBack(): void;
}

/** A server alone on its account: a local bucket. */
export class LocalAccountRate implements AccountRate {
  private readonly bucket: TokenBucket;

  constructor(rate: number, now: number) {
    this.bucket = new TokenBucket(rate, burstOf(rate), now);
  }

  take(now: number): { ok: true } | { ok: false; waitMs: number } {
    return this.bucket.take(now);
  }

  giveBack(): void {
    this.bucket.giveBack();
  }
}

/** A twentieth of a second's worth: what a bucket saves up, so a second never holds much more than the rate. */
function burstOf(rate: number): number {
  return Math.max(1, Math.ceil(rate / 20));
}

const tokensScript = LuaScript.fromFile(__dirname, 'account-tokens');

/**
 * Replicas sharing an account's rate through one token bucket in Redis. A replica takes tokens
 * in small batches and spends them within a short while, so a token never waits long enough to
 * add to another replica's burst; while Redis does not answer, it spends its share locally.
 */
export class SharedAccountRate implements AccountRate {
  private tokens = 0;
  private usableUntil = 0;
  private asking = false;
  private askAgainAt = 0;
  private readonly batch: number;
  private fallback: { live: number; bucket: TokenBucket } | undefined;

  constructor(
    private readonly redis: RedisClient,
    private readonly key: string,
    private readonly rate: number,
    /** Called when tokens arrive, so waiting submits go on. */
    private readonly onTokens: () => void,
    /** Replicas sharing the account, as last seen (for the fallback's share). */
    private readonly live: () => number,
    /** How long a batch of tokens may be spent. @defaultValue 50 */
    private readonly batchMs = 50,
    /** Bound on Redis's answer: past it, the replica spends its share locally. @defaultValue 1000 */
    private readonly askTimeoutMs = 1000,
  ) {
    this.batch = Math.max(1, Math.floor((rate * batchMs) / 2000));
  }

  take(now: number): { ok: true } | { ok: false; waitMs: number } {
    if (this.fallback) {
      if (!this.asking && now >= this.askAgainAt) {
        this.ask(now);
      }
      return this.fallback.bucket.take(now);
    }
    if (this.tokens > 0 && now < this.usableUntil) {
      this.tokens -= 1;
      return { ok: true };
    }
    this.tokens = 0;
    if (!this.asking && now >= this.askAgainAt) {
      this.ask(now);
    }
    // `onTokens` wakes the caller when the answer comes; this is the latest it looks again.
    return { ok: false, waitMs: Math.max(1, this.askAgainAt - now, this.batchMs) };
  }

  giveBack(): void {
    this.tokens += 1;
  }

  private ask(now: number): void {
    this.asking = true;
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error('Redis did not answer')), this.askTimeoutMs);
    });
    Promise.race([tokensScript.run(this.redis, [this.key], [this.rate, burstOf(this.rate), this.batch]), late])
      .then((answer) => {
        const [got = 0, waitMs = 0] = (answer as number[]).map(Number);
        this.fallback = undefined;
        this.tokens = got;
        this.usableUntil = now + this.batchMs;
        this.askAgainAt = got > 0 ? 0 : now + waitMs;
      })
      .catch(() => {
        // Redis away: this replica's share of the rate, locally, until it answers again.
        const live = Math.max(1, this.live());
        if (this.fallback?.live !== live) {
          this.fallback = { live, bucket: new TokenBucket(this.rate / live, burstOf(this.rate / live), now) };
        }
        this.askAgainAt = now + 1000;
      })
      .finally(() => {
        clearTimeout(timer);
        this.asking = false;
        this.onTokens();
      });
  }
}
