import { createHash, randomBytes } from 'node:crypto';

/** What the network approved at `/authorize`: the device's line, for one client and scope. */
export interface DeviceGrant {
  /** The line the network identified the device by (E.164). */
  msisdn: string;
  clientId: string;
  scope: string[];
}

/** What a code was issued for; the token request must match it. */
export interface CodeRequest extends DeviceGrant {
  redirectUri: string;
  /** base64url(SHA-256(code_verifier)), PKCE S256. */
  codeChallenge: string;
}

interface PendingCode extends CodeRequest {
  expiresAt: number;
  spent: boolean;
}

export type Redemption = { ok: true; grant: DeviceGrant } | { ok: false; reason: string; replayed: boolean };

/** How long a code waits for its exchange: the device's redirect and the server's call take seconds. */
export const codeLifetimeSeconds = 60;
/** Spent codes are remembered this long, past any token they bought, to catch a replay. */
const rememberMs = 10 * 60_000;
/** RFC 7636 §4.1: 43 to 128 unreserved characters. */
const verifierFormat = /^[A-Za-z0-9._~-]{43,128}$/;

/**
 * One-time authorization codes of the OIDC code flow (RFC 6749 §4.1) with PKCE S256 (RFC 7636):
 * each binds the device's line to the client, redirect URI, challenge and scope it was issued for.
 */
export class AuthorizationCodes {
  private readonly codes = new Map<string, PendingCode>();

  issue(request: CodeRequest, now: number): string {
    for (const [code, c] of this.codes) {
      if (c.expiresAt + rememberMs < now) {
        this.codes.delete(code);
      }
    }
    const code = randomBytes(24).toString('base64url');
    this.codes.set(code, { ...request, scope: [...request.scope], expiresAt: now + codeLifetimeSeconds * 1000, spent: false });
    return code;
  }

  /**
   * Trades a code for its grant. Any attempt spends the code, so a stolen one cannot be tried
   * against verifiers; a second attempt is a replay (RFC 6749 §4.1.2: revoke what it bought).
   */
  redeem(code: string, by: { clientId: string; redirectUri: string; codeVerifier: string }, now: number): Redemption {
    const c = this.codes.get(code);
    if (!c) {
      return { ok: false, reason: 'unknown authorization code', replayed: false };
    }
    if (c.spent) {
      return { ok: false, reason: 'authorization code already used', replayed: true };
    }
    c.spent = true;
    if (c.expiresAt <= now) {
      return { ok: false, reason: 'authorization code expired', replayed: false };
    }
    if (c.clientId !== by.clientId) {
      return { ok: false, reason: 'authorization code issued to another client', replayed: false };
    }
    if (c.redirectUri !== by.redirectUri) {
      return { ok: false, reason: 'redirect_uri differs from the one sent to /authorize', replayed: false };
    }
    if (!verifierFormat.test(by.codeVerifier) || s256(by.codeVerifier) !== c.codeChallenge) {
      return { ok: false, reason: 'code_verifier does not match the code_challenge', replayed: false };
    }
    return { ok: true, grant: { msisdn: c.msisdn, clientId: c.clientId, scope: c.scope } };
  }
}

/** PKCE S256: the challenge a verifier answers. */
export function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}
