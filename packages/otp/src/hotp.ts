import { createHmac, timingSafeEqual } from 'node:crypto';
import { truncate, uint64 } from './truncate';

export type OtpHash = 'sha1' | 'sha256' | 'sha512';

/** RFC 4226 HOTP: the code of `counter` under `key`. */
export function hotp(key: Buffer, counter: bigint, digits = 6, hash: OtpHash = 'sha1'): string {
  if (!Number.isInteger(digits) || digits < 6 || digits > 10) {
    throw new Error('HOTP digits must be 6 to 10');
  }
  return truncate(createHmac(hash, key).update(uint64(counter)).digest(), digits);
}

export interface TotpOptions {
  /** @defaultValue 30 */
  periodSeconds?: number;
  /** @defaultValue 6 */
  digits?: number;
  /** @defaultValue 'sha1' */
  hash?: OtpHash;
}

/** RFC 6238 TOTP: the time step `timeSeconds` falls in (T0 = 0). */
export function totpStep(timeSeconds: number, periodSeconds = 30): bigint {
  if (!Number.isInteger(periodSeconds) || periodSeconds < 1) {
    throw new Error('TOTP period must be a whole number of seconds');
  }
  return BigInt(Math.floor(timeSeconds / periodSeconds));
}

/** RFC 6238 TOTP: the code at `timeSeconds`. */
export function totp(key: Buffer, timeSeconds: number, o: TotpOptions = {}): string {
  return hotp(key, totpStep(timeSeconds, o.periodSeconds), o.digits, o.hash);
}

/**
 * The step of a typed TOTP code within `window` steps either side of now (clocks drift), or
 * undefined. Steps at or before `usedStep` never match: a code works once. Every candidate is
 * compared, in constant time, so the answer's timing says nothing about which one matched.
 */
export function matchTotp(
  key: Buffer,
  typed: string,
  timeSeconds: number,
  o: TotpOptions & { window?: number; usedStep?: bigint | null } = {},
): bigint | undefined {
  const now = totpStep(timeSeconds, o.periodSeconds);
  const window = BigInt(o.window ?? 1);
  const typedBytes = Buffer.from(typed);
  let matched: bigint | undefined;
  for (let step = now - window; step <= now + window; step += 1n) {
    const expected = Buffer.from(hotp(key, step, o.digits, o.hash));
    const equal = expected.length === typedBytes.length && timingSafeEqual(expected, typedBytes);
    if (equal && step >= 0n && (o.usedStep === undefined || o.usedStep === null || step > o.usedStep)) {
      matched = step;
    }
  }
  return matched;
}
