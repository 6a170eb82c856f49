import jwt, { type JwtPayload } from 'jsonwebtoken';
import { AppError } from '@outband/errors';
import { merchantId as merchantIdSchema } from '@outband/contracts';
import type { MerchantKeyCache } from './merchant-key-cache';
import type { TokenReplayGuard } from './token-replay';

export interface MerchantAuthOptions {
  audience: string;
  maxLifetimeSeconds: number;
  clockSkewSeconds: number;
  /** Refuse tokens without a `jti`, so that every token is single-use. */
  requireJti?: boolean;
}

const allowedAlgorithms = new Set(['HS256', 'RS256', 'ES256']);

/**
 * Authenticates a merchant's Bearer JWT: `iss` names the merchant, `kid` picks its key, the
 * algorithm must be the one registered with that key (no `none`, no HS/RS confusion), `aud`
 * must be ours and `exp` present and near.
 */
export class MerchantAuthenticator {
  constructor(
    private readonly keys: MerchantKeyCache,
    private readonly o: MerchantAuthOptions,
    /** When given, a token carrying a `jti` is accepted once (while it is accepted at all: until `exp` + skew). */
    private readonly replay?: Pick<TokenReplayGuard, 'firstUse'>,
  ) {}

  /** Resolves to the merchant id, or throws an `unauthorized`/`forbidden` AppError. */
  async authenticate(authorization: string | undefined): Promise<string> {
    const match = /^Bearer ([A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]+\.[A-Za-z0-9_=-]*)$/.exec(authorization ?? '');
    if (!authorization) {
      throw unauthorized('AUTH_MISSING', 'send a merchant JWT as "Authorization: Bearer <token>"');
    }
    const token = match?.[1];
    if (!token) {
      throw unauthorized('TOKEN_INVALID', 'the Authorization header is not a Bearer JWT');
    }
    const decoded = jwt.decode(token, { complete: true });
    const payload = decoded?.payload;
    if (!decoded || typeof payload !== 'object' || payload === null) {
      throw unauthorized('TOKEN_INVALID', 'the token cannot be decoded');
    }
    const { alg, kid } = decoded.header;
    if (!allowedAlgorithms.has(alg)) {
      throw unauthorized('TOKEN_INVALID', `algorithm ${alg} is not accepted`);
    }
    const iss = merchantIdSchema.safeParse(payload.iss);
    if (!iss.success) {
      throw unauthorized('TOKEN_INVALID', 'the token must name the merchant in "iss"');
    }
    const merchant = await this.keys.get(iss.data);
    const key =
      merchant &&
      (kid !== undefined ? merchant.keys.find((k) => k.kid === kid) : merchant.keys.length === 1 ? merchant.keys[0] : undefined);
    if (!merchant || !key || key.alg !== alg) {
      // Same answer for an unknown merchant, an unknown kid and a wrong algorithm.
      throw unauthorized('TOKEN_INVALID', 'no key of this merchant matches the token (iss, kid, alg)');
    }
    let verified: JwtPayload;
    try {
      verified = jwt.verify(token, key.key, {
        algorithms: [key.alg],
        audience: this.o.audience,
        issuer: iss.data,
        clockTolerance: this.o.clockSkewSeconds,
      }) as JwtPayload;
    } catch (e) {
      throw verifyError(e);
    }
    const now = Math.floor(Date.now() / 1000);
    if (typeof verified.exp !== 'number') {
      throw unauthorized('TOKEN_INVALID', 'the token must carry "exp"');
    }
    // jsonwebtoken checks `exp` and `nbf` but not `iat`: a token minted ahead (a clock far off, or
    // one prepared for later use) would otherwise be accepted before it was meant to exist.
    if (verified.iat !== undefined && typeof verified.iat !== 'number') {
      throw unauthorized('TOKEN_INVALID', '"iat" must be a number of seconds');
    }
    if (verified.iat !== undefined && verified.iat > now + this.o.clockSkewSeconds) {
      throw unauthorized('TOKEN_ISSUED_IN_FUTURE', `"iat" is more than ${this.o.clockSkewSeconds} s ahead of this server's clock`);
    }
    if (verified.exp - now > this.o.maxLifetimeSeconds + this.o.clockSkewSeconds) {
      throw unauthorized('TOKEN_LIFETIME_TOO_LONG', `"exp" may be at most ${this.o.maxLifetimeSeconds} s ahead`);
    }
    if (!merchant.active) {
      throw new AppError('forbidden', 'MERCHANT_SUSPENDED', 'this merchant is suspended');
    }
    if (verified.jti === undefined && this.o.requireJti) {
      throw unauthorized('TOKEN_JTI_REQUIRED', 'the token must carry a "jti" (each token is accepted once)');
    }
    if (verified.jti !== undefined) {
      if (typeof verified.jti !== 'string' || verified.jti.length === 0 || verified.jti.length > 128) {
        throw unauthorized('TOKEN_INVALID', '"jti" must be a string of 1 to 128 characters');
      }
      // Remembered as long as the token is accepted: `exp` plus the skew jsonwebtoken tolerates.
      const acceptedUntil = verified.exp + this.o.clockSkewSeconds;
      if (this.replay && !(await this.replay.firstUse(iss.data, verified.jti, acceptedUntil))) {
        throw unauthorized('TOKEN_REPLAYED', 'this token (jti) was already used');
      }
    }
    return iss.data;
  }
}

function verifyError(e: unknown): AppError {
  if (e instanceof jwt.TokenExpiredError) {
    return unauthorized('TOKEN_EXPIRED', 'the token has expired');
  }
  if (e instanceof jwt.NotBeforeError) {
    return unauthorized('TOKEN_NOT_YET_VALID', 'the token is not valid yet (nbf)');
  }
  const message = e instanceof Error ? e.message : '';
  if (message.startsWith('jwt audience invalid')) {
    return unauthorized('TOKEN_AUDIENCE_INVALID', 'the token is not meant for this server (aud)');
  }
  return unauthorized('TOKEN_INVALID', 'the token signature or claims are invalid');
}

function unauthorized(code: string, message: string): AppError {
  return new AppError('unauthorized', code, message);
}
