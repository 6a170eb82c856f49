import { randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';

/** A merchant key as registered with Outband (`outband merchant key add`, or the admin API). */
export type MerchantKey =
  | { kid: string; alg: 'HS256'; /** The shared secret, base64 as registered. */ secret: string }
  | { kid: string; alg: 'RS256' | 'ES256'; /** The private key, PEM. */ privateKey: string };

export interface TokenOptions {
  /** The `aud` the information server expects (its `JWT_AUDIENCE`). */
  audience: string;
  /** Lifetime of each token; the server refuses more than its `JWT_MAX_LIFETIME_SECONDS`. */
  lifetimeSeconds: number;
}

/**
 * A fresh merchant token for one request: `iss` names the merchant, `kid` the key, and a new
 * `jti` each time, so a server that remembers `jti`s (JWT_REQUIRE_JTI) accepts it once.
 */
export function merchantToken(merchantId: string, key: MerchantKey, o: TokenOptions): string {
  const signingKey = key.alg === 'HS256' ? Buffer.from(key.secret, 'base64') : key.privateKey;
  return jwt.sign({}, signingKey, {
    algorithm: key.alg,
    keyid: key.kid,
    issuer: merchantId,
    audience: o.audience,
    expiresIn: o.lifetimeSeconds,
    jwtid: randomUUID(),
  });
}
