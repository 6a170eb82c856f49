import { createHash } from 'node:crypto';
import type { RedisClient } from '@outband/redis-limits';
import type { SilentFallback } from '@outband/contracts';

/** What a silent verification's `state` stands for while the device's browser is away at the operator. */
export interface SilentState {
  verificationId: string;
  merchantId: string;
  /** The PKCE verifier: only this server can trade the authorization code the browser brings back. */
  codeVerifier: string;
  returnUrl: string;
  fallback: SilentFallback;
  /** The start's language, for the text of a fallback code. */
  locale?: 'en' | 'fr' | undefined;
}

/**
 * Silent verifications waiting for the device's browser to come back, found by a hash of their
 * `state` (the state itself is a bearer value in a URL, never stored); each is taken once.
 */
export class SilentStates {
  constructor(
    private readonly redis: RedisClient,
    private readonly prefix: string,
  ) {}

  private key(state: string): string {
    return `${this.prefix}:silent:{${createHash('sha256').update(state).digest('hex')}}`;
  }

  async put(state: string, s: SilentState, until: Date, now: Date): Promise<void> {
    await this.redis.set(this.key(state), JSON.stringify(s), 'PX', Math.max(1, until.getTime() - now.getTime()));
  }

  /** The waiting verification, removed: a second return with the same state finds nothing. */
  async take(state: string): Promise<SilentState | undefined> {
    const raw = await this.redis.getdel(this.key(state));
    return raw ? (JSON.parse(raw) as SilentState) : undefined;
  }
}
