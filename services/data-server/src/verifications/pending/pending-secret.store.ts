import type { Redis } from 'ioredis';
import { LuaScript } from '@outband/redis-limits';

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

// Compares in constant time over equal lengths: every byte is visited whatever differs, and
// with arithmetic only (no branch, no bit library), so it runs on Redis and on the embedded store.
const ctEqual = `
local function ct_equal(a, b)
  if (not a) or (not b) or #a ~= #b then return false end
  local diff = 0
  for i = 1, #a do diff = diff + (string.byte(a, i) - string.byte(b, i)) ^ 2 end
  return diff == 0
end`;

// KEYS: pending hash, final marker. ARGV: candidate MAC, binding hash, now ms, final TTL s.
// One script, so a check is atomic: no two checks can both use one code or both miss a count.
const checkScript = new LuaScript(`${ctEqual}
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {'final', redis.call('GET', KEYS[2]) or 'expired', 0, 0}
end
local h = redis.call('HMGET', KEYS[1], 'mac', 'binding', 'attempts', 'maxAttempts', 'expiresAtMs')
if tonumber(ARGV[3]) >= tonumber(h[5]) then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], 'expired', 'EX', ARGV[4])
  return {'final', 'expired', 0, 0}
end
local bindingOk = ct_equal(h[2], ARGV[2])
local macOk = ct_equal(h[1], ARGV[1])
local attempts = tonumber(h[3])
if bindingOk and macOk then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], 'approved', 'EX', ARGV[4])
  return {'approved', '', attempts, 0}
end
attempts = redis.call('HINCRBY', KEYS[1], 'attempts', 1)
local left = tonumber(h[4]) - attempts
local which = bindingOk and 'code' or 'binding'
if left <= 0 then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], 'max_attempts_reached', 'EX', ARGV[4])
  return {'burned', which, attempts, 0}
end
return {'mismatch', which, attempts, left}
`);

export type ResendOutcome =
  | { kind: 'replaced'; sends: number }
  | { kind: 'mismatch' }
  | { kind: 'too_many_sends' }
  | { kind: 'too_soon'; retryAfterMs: number }
  | { kind: 'final'; state: FinalState };

// KEYS: pending hash, final marker. ARGV: new MAC, binding hash, now ms, cool-down ms, max sends, final TTL s.
// Replaces the code of a pending verification; its attempts and lifetime stay as they were.
const resendScript = new LuaScript(`${ctEqual}
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {'final', redis.call('GET', KEYS[2]) or 'expired', 0}
end
local h = redis.call('HMGET', KEYS[1], 'binding', 'expiresAtMs', 'sends', 'lastSendMs')
if tonumber(ARGV[3]) >= tonumber(h[2]) then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], 'expired', 'EX', ARGV[6])
  return {'final', 'expired', 0}
end
if not ct_equal(h[1], ARGV[2]) then return {'mismatch', '', 0} end
local sends = tonumber(h[3] or '1')
if sends >= tonumber(ARGV[5]) then return {'too_many_sends', '', 0} end
local wait = tonumber(h[4] or '0') + tonumber(ARGV[4]) - tonumber(ARGV[3])
if wait > 0 then return {'too_soon', '', wait} end
redis.call('HSET', KEYS[1], 'mac', ARGV[1], 'sends', sends + 1, 'lastSendMs', ARGV[3])
return {'replaced', '', sends + 1}
`);

// KEYS: pending hash, final marker. ARGV: final TTL s, the state it ends in.
const cancelScript = new LuaScript(`
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('DEL', KEYS[1])
  redis.call('SET', KEYS[2], ARGV[2], 'EX', ARGV[1])
  return ARGV[2]
end
return redis.call('GET', KEYS[2]) or 'expired'
`);

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
    private readonly redis: Redis,
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
  async cancel(verificationId: string, state: 'canceled' | 'session_closed' | 'approved' = 'canceled'): Promise<FinalState> {
    return (await cancelScript.run(this.redis, this.keysOf(verificationId), [String(this.finalTtl), state])) as FinalState;
  }
}
