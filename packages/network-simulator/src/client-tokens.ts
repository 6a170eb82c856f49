import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';

/**
 * OAuth 2.0 client credentials (RFC 6749 §4.4) with `client_secret_basic`: the operator's token
 * endpoint for server-to-server network APIs. Tokens are opaque and live `lifetimeSeconds`.
 */
export class ClientTokens {
  private readonly tokens = new Map<string, number>();

  constructor(
    private readonly client: { id: string; secret: string },
    private readonly lifetimeSeconds = 3600,
  ) {}

  /** Answers the token request: `{access_token, token_type, expires_in}` or an OAuth error. */
  issue(headers: IncomingHttpHeaders, form: URLSearchParams, now: number): { status: number; body: unknown } {
    if (form.get('grant_type') !== 'client_credentials') {
      return { status: 400, body: { error: 'unsupported_grant_type' } };
    }
    if (!this.authenticates(headers)) {
      return { status: 401, body: { error: 'invalid_client' } };
    }
    const token = randomBytes(24).toString('hex');
    this.tokens.set(token, now + this.lifetimeSeconds * 1000);
    return { status: 200, body: { access_token: token, token_type: 'Bearer', expires_in: this.lifetimeSeconds } };
  }

  /** Whether the request carries this client's id and secret (`client_secret_basic`). */
  authenticates(headers: IncomingHttpHeaders): boolean {
    const [scheme, encoded] = (headers.authorization ?? '').split(' ');
    const [id, secret] = Buffer.from(encoded ?? '', 'base64')
      .toString()
      .split(':');
    return scheme === 'Basic' && id === this.client.id && sameSecret(secret ?? '', this.client.secret);
  }

  valid(authorization: string | undefined, now: number): boolean {
    const token = bearerOf(authorization);
    const until = token ? this.tokens.get(token) : undefined;
    return until !== undefined && until > now;
  }

  /** Every token stops working (tests: a client must fetch a new one). */
  revokeAll(): void {
    this.tokens.clear();
  }
}

function sameSecret(a: string, b: string): boolean {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
}

/** The token of an `Authorization: Bearer …` header, if it is one. */
export function bearerOf(authorization: string | undefined): string | undefined {
  return /^Bearer (\S+)$/.exec(authorization ?? '')?.[1];
}
