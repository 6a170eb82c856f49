import { LuaScript, type RedisClient } from '@outband/redis-limits';

/** What Redis holds while a code is pending: a keyed MAC of the code, never the code. */
export interface PendingSecret {
  verificationId: string;
  /** Hex HMAC of the code under the MAC key `macKeyId`. */
  mac: string;
  /** Hex hash of what the code is bound to (merchant, subscriber, purpose, transaction data). */
  bindingHash: string;
  maxAttempts: number;
  expiresAt: Date;
}

export type FinalState = 'approved' | 'max_attempts_reached' | 'canceled' | 'expired' | 'session_closed';

export type CheckOutcome =
  | { kind: 'approved'; attempts: number }
  | { kind: 'mismatch'; attempts: number; attemptsLeft: number; bindingMatched: boolean }
  | { kind: 'burned'; attempts: number; bindingMatched: boolean }
  /** The code is no longer pending; `state` says why (`expired` when Redis has no trace). */
  | { kind: 'final'; state: FinalState };

export type ResendOutcome =
  | { kind: 'replaced'; sends: number }
  | { kind: 'mismatch' }
  | { kind: 'too_many_sends' }
  | { kind: 'too_soon'; retryAfterMs: number }
  | { kind: 'final'; state: FinalState };

// One atomic script per step, each in its own file beside this one (KEYS, ARGV and answers in its header).
const checkScript = LuaScript.fromFile(__dirname, 'check-pending');
const resendScript = LuaScript.fromFile(__dirname, 'resend-pending');
const cancelScript = LuaScript.fromFile(__dirname, 'cancel-pending');
const takeOpenScript = LuaScript.fromFile(__dirname, 'take-open');

export interface PendingSecretStoreOptions {
  /** Prefix of every key. */
  prefix: string;
  /** How long the final state of a verification stays in Redis. @defaultValue 86400 */
  finalTtlSeconds?: number;
}

/**
 * Pending secrets in Redis under a TTL. The keys of one verification share the hash tag
 * `{<verification id>}`, so both scripts run unchanged on Redis Cluster.
 */
export class PendingSecretStore {
  private readonly finalTtl: number;

  constructor(
    private readonly redis: RedisClient,
    private readonly options: PendingSecretStoreOptions,
  ) {
    this.finalTtl = options.finalTtlSeconds ?? 86_400;
  }

  keysOf(verificationId: string): [string, string] {
    const base = `${this.options.prefix}:v:{${verificationId}}`;
    return [`${base}:pending`, `${base}:final`];
  }

  async put(secret: PendingSecret, now: Date): Promise<void> {
    const [pending] = this.keysOf(secret.verificationId);
    const ttlMs = Math.max(1, secret.expiresAt.getTime() - now.getTime());
    await this.redis
      .multi()
      .hset(pending, {
        mac: secret.mac,
        binding: secret.bindingHash,
        attempts: 0,
        maxAttempts: secret.maxAttempts,
        expiresAtMs: secret.expiresAt.getTime(),
        sends: 1,
        lastSendMs: now.getTime(),
      })
      .pexpire(pending, ttlMs)
      .exec();
  }

  async check(verificationId: string, candidateMac: string, bindingHash: string, now: Date): Promise<CheckOutcome> {
    const raw = (await checkScript.run(this.redis, this.keysOf(verificationId), [
      candidateMac,
      bindingHash,
      String(now.getTime()),
      String(this.finalTtl),
    ])) as [string, string, number, number];
    const [kind, detail, attempts, left] = raw;
    switch (kind) {
      case 'approved':
        return { kind: 'approved', attempts };
      case 'mismatch':
        return { kind: 'mismatch', attempts, attemptsLeft: left, bindingMatched: detail === 'code' };
      case 'burned':
        return { kind: 'burned', attempts, bindingMatched: detail === 'code' };
      default:
        return { kind: 'final', state: detail as FinalState };
    }
  }

  /**
   * Replaces a pending code by a new one (a resend): only for the same binding, at most
   * `maxSends` codes per verification, not sooner than `cooldownMs` after the last one.
   */
  async resend(
    verificationId: string,
    mac: string,
    bindingHash: string,
    now: Date,
    cooldownMs: number,
    maxSends: number,
  ): Promise<ResendOutcome> {
    const [kind, detail, value] = (await resendScript.run(this.redis, this.keysOf(verificationId), [
      mac,
      bindingHash,
      String(now.getTime()),
      String(cooldownMs),
      String(maxSends),
      String(this.finalTtl),
    ])) as [string, string, number];
    switch (kind) {
      case 'replaced':
        return { kind, sends: value };
      case 'mismatch':
      case 'too_many_sends':
        return { kind };
      case 'too_soon':
        return { kind, retryAfterMs: value };
      default:
        return { kind: 'final', state: detail as FinalState };
    }
  }

  /** Ends a pending code (canceled, or its session closed); answers the state it ends in. */
  /**
   * Makes `verificationId` the open verification of `merchantId` and `holder` until `expiresAt`,
   * and answers the one open before, if any: of two starts that ran side by side, the later one
   * learns of the earlier even before the earlier is written.
   */
  async takeOpen(merchantId: string, holder: string, verificationId: string, expiresAt: Date, now: Date): Promise<string | undefined> {
    const key = `${this.options.prefix}:open:{${merchantId}:${holder}}`;
    const ttlMs = Math.max(1, expiresAt.getTime() - now.getTime());
    const before = (await takeOpenScript.run(this.redis, [key], [verificationId, ttlMs])) as string | null;
    return before ?? undefined;
  }

  async cancel(verificationId: string, state: 'canceled' | 'session_closed' | 'approved' = 'canceled'): Promise<FinalState> {
    return (await cancelScript.run(this.redis, this.keysOf(verificationId), [String(this.finalTtl), state])) as FinalState;
  }
}
