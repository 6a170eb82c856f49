import jwt, { type Jwt, type JwtPayload } from 'jsonwebtoken';
import { AppError } from '@outband/errors';
import { e164 } from '@outband/contracts';
import type { ClaimKey } from './claim-key';

/** A phone number a key the operator trusts vouches for, as read from a verified claim. */
export interface AddressClaim {
  /** The E.164 number of the claim's `phone_number`. */
  address: string;
  /** `sub`: who the signer says holds the number (e.g. the bank's customer id). */
  subject: string | null;
  /** `jti`: the signer's id for this claim. */
  claimId: string | null;
  /** `iss`: who signed it. */
  issuer: string | null;
  expiresAt: Date;
}

const clockToleranceSeconds = 30;
// Header values are the sender's: echoed in a refusal only when they look like a kid or an alg.
const printable = /^[A-Za-z0-9._-]{1,64}$/;

/**
 * Verifies a signed claim of a phone number (a JWT carrying the OIDC `phone_number`) presented by
 * `merchantId`: the header's `kid` must name one of `keys`, the signature verify with that key and
 * its algorithm only, `aud` name the merchant, and the claim live at most `maxLifetimeSeconds`
 * (`exp - iat`), so a leaked claim is soon useless. Throws `ADDRESS_CLAIM_INVALID` saying why.
 */
export function verifiedAddressClaim(
  token: string,
  merchantId: string,
  keys: readonly ClaimKey[] | null,
  now: Date,
  maxLifetimeSeconds: number,
): AddressClaim {
  if (keys === null || keys.length === 0) {
    throw refused('the operator trusts no key to sign address claims for this merchant');
  }
  const key = keyOf(decodedHeader(token), keys);
  const nowSeconds = Math.floor(now.getTime() / 1000);
  const payload = verifiedPayload(token, key, nowSeconds);

  const { exp, iat } = payload;
  if (typeof exp !== 'number' || typeof iat !== 'number') {
    throw refused('the claim must carry "exp" and "iat" as numbers of seconds');
  }
  // Minted ahead, a claim would be usable for longer than its stated lifetime.
  if (iat > nowSeconds + clockToleranceSeconds) {
    throw refused('the claim was issued in the future ("iat")');
  }
  if (exp - iat > maxLifetimeSeconds) {
    throw refused(`the claim lives ${exp - iat} s ("exp" - "iat"), more than the ${maxLifetimeSeconds} s accepted`);
  }
  const audiences = Array.isArray(payload.aud) ? payload.aud : [payload.aud];
  if (!audiences.includes(merchantId)) {
    throw refused('the claim is not for this merchant ("aud")');
  }
  const phone: unknown = payload['phone_number'];
  if (typeof phone !== 'string' || !e164.safeParse(phone).success) {
    throw refused('the claim has no E.164 "phone_number"');
  }
  return {
    address: phone,
    subject: optionalString(payload, 'sub'),
    claimId: optionalString(payload, 'jti'),
    issuer: optionalString(payload, 'iss'),
    expiresAt: new Date(exp * 1000),
  };
}

function decodedHeader(token: string): { kid?: unknown; alg?: unknown } {
  let decoded: Jwt | null;
  try {
    decoded = jwt.decode(token, { complete: true });
  } catch {
    decoded = null; // a header saying `typ: JWT` over a payload that is not JSON
  }
  if (decoded === null || typeof decoded.header !== 'object') {
    throw refused('the claim is not a JWT');
  }
  return decoded.header;
}

/** The trusted key the header's `kid` names, provided the header's `alg` is that key's. */
function keyOf(header: { kid?: unknown; alg?: unknown }, keys: readonly ClaimKey[]): ClaimKey {
  const { kid, alg } = header;
  if (typeof kid !== 'string') {
    throw refused('the claim names no key ("kid")');
  }
  const key = keys.find((k) => k.kid === kid);
  if (!key) {
    throw refused(`the claim's key ${shown(kid)} is not one the operator trusts for this merchant`);
  }
  if (alg !== key.alg) {
    throw refused(`the claim is signed with ${shown(alg)}, key "${key.kid}" verifies ${key.alg} only`);
  }
  return key;
}

function verifiedPayload(token: string, key: ClaimKey, nowSeconds: number): JwtPayload {
  let payload: string | JwtPayload;
  try {
    payload = jwt.verify(token, key.key, {
      // The key's algorithm alone: no `none`, no HS256 keyed with the public PEM.
      algorithms: [key.alg],
      clockTimestamp: nowSeconds,
      clockTolerance: clockToleranceSeconds,
    });
  } catch (err) {
    throw refused(whyNotVerified(err, key));
  }
  if (typeof payload === 'string') {
    throw refused('the claim carries no JSON object');
  }
  return payload;
}

function whyNotVerified(err: unknown, key: ClaimKey): string {
  if (err instanceof jwt.TokenExpiredError) {
    return `the claim expired at ${err.expiredAt.toISOString()}`;
  }
  if (err instanceof jwt.NotBeforeError) {
    return 'the claim is not valid yet ("nbf")';
  }
  if (err instanceof jwt.JsonWebTokenError && err.message === 'invalid signature') {
    return `the claim's signature does not verify with key "${key.kid}"`;
  }
  // jsonwebtoken's own reasons ("jwt malformed" …) never quote the token.
  const reason = err instanceof Error ? err.message : 'unknown reason';
  return `the claim cannot be verified with key "${key.kid}" (${reason})`;
}

function optionalString(payload: JwtPayload, name: 'sub' | 'jti' | 'iss'): string | null {
  const value = payload[name];
  if (value === undefined) {
    return null;
  }
  if (typeof value !== 'string') {
    throw refused(`"${name}" must be a string`);
  }
  return value;
}

function shown(value: unknown): string {
  return typeof value === 'string' && printable.test(value) ? `"${value}"` : '(not shown)';
}

function refused(why: string): AppError {
  return new AppError('invalid_input', 'ADDRESS_CLAIM_INVALID', why);
}
