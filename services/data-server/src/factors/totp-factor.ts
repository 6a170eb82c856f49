import { randomBytes } from 'node:crypto';
import { base32, matchTotp } from '@outband/otp';
import { hashOf, type FactorRecord } from './factor.repository';

/** A new TOTP app's settings: what every authenticator app supports (not all read the URI's parameters). */
export function newTotp(): { secret: Buffer; settings: Pick<FactorRecord, 'algorithm' | 'digits' | 'periodSeconds' | 'suite'> } {
  return { secret: randomBytes(20), settings: { algorithm: 'SHA1', digits: 6, periodSeconds: 30, suite: null } };
}

/**
 * The `otpauth://` URI authenticator apps read (the Key Uri Format of Google Authenticator, which
 * the others follow): issuer and account name in the label and again as `issuer`, the secret in
 * base32 without padding.
 */
export function otpauthUri(
  f: Pick<FactorRecord, 'label' | 'algorithm' | 'digits' | 'periodSeconds'>,
  issuer: string,
  secret: Buffer,
): string {
  const params = new URLSearchParams({
    secret: base32(secret),
    issuer,
    algorithm: f.algorithm,
    digits: String(f.digits),
    period: String(f.periodSeconds),
  });
  return `otpauth://totp/${encodeURIComponent(issuer)}:${encodeURIComponent(f.label)}?${params.toString()}`;
}

/** The time step a typed code of `f` is fresh at, within `window` steps of now, or undefined. */
export function freshStep(f: FactorRecord, secret: Buffer, typed: string, now: Date, window: number): number | undefined {
  const step = matchTotp(secret, typed, now.getTime() / 1000, {
    periodSeconds: f.periodSeconds ?? 30,
    digits: f.digits,
    hash: hashOf(f.algorithm),
    window,
    usedStep: f.usedStep === null ? null : BigInt(f.usedStep),
  });
  return step === undefined ? undefined : Number(step);
}
