import { base32 } from '@outband/otp';
import type { FactorRecord } from './factor.repository';

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
