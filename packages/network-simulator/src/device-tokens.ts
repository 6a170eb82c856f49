import { bearerOf } from './client-tokens';
import { randomBytes } from 'node:crypto';
import type { DeviceGrant } from './authorization-codes';

/** At most five minutes, as CAMARA asks of Number Verification tokens. */
export const deviceTokenLifetimeSeconds = 300;

interface DeviceToken extends DeviceGrant {
  expiresAt: number;
  /** The authorization code that bought it, so a replayed code can revoke it. */
  code: string;
}

/**
 * Three-legged access tokens: each names the device's line and answers one API call only
 * (CAMARA Number Verification), then it is gone.
 */
export class DeviceTokens {
  private readonly tokens = new Map<string, DeviceToken>();

  issue(grant: DeviceGrant, code: string, now: number): string {
    for (const [token, t] of this.tokens) {
      if (t.expiresAt <= now) {
        this.tokens.delete(token);
      }
    }
    const token = randomBytes(24).toString('hex');
    this.tokens.set(token, { ...grant, code, expiresAt: now + deviceTokenLifetimeSeconds * 1000 });
    return token;
  }

  /** The grant behind `Authorization: Bearer …`, spending the token; undefined if none is valid. */
  consume(authorization: string | undefined, now: number): DeviceGrant | undefined {
    const token = bearerOf(authorization);
    const t = token === undefined ? undefined : this.tokens.get(token);
    if (token === undefined || t === undefined) {
      return undefined;
    }
    this.tokens.delete(token);
    return t.expiresAt > now ? { msisdn: t.msisdn, clientId: t.clientId, scope: t.scope } : undefined;
  }

  revokeFromCode(code: string): void {
    for (const [token, t] of this.tokens) {
      if (t.code === code) {
        this.tokens.delete(token);
      }
    }
  }

  revokeAll(): void {
    this.tokens.clear();
  }
}
