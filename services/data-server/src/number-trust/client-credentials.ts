import { NetworkApiError } from './network-signals';

/**
 * An OAuth 2.0 access token by client credentials (RFC 6749 §4.4, `client_secret_basic`), kept
 * until shortly before it expires; concurrent callers share one token request, which runs on its
 * own timeout: a caller that gives up at its budget leaves it to finish for the next ones.
 */
export class ClientCredentials {
  private token: { value: string; until: number } | undefined;
  private pending: Promise<string> | undefined;

  constructor(
    private readonly o: { tokenUrl: string; clientId: string; clientSecret: string; scope: string; timeoutMs?: number },
    private readonly now: () => number = Date.now,
  ) {}

  async get(signal: AbortSignal): Promise<string> {
    if (this.token && this.token.until > this.now()) {
      return this.token.value;
    }
    const pending = (this.pending ??= this.fetchToken(AbortSignal.timeout(this.o.timeoutMs ?? 10_000)).finally(
      () => (this.pending = undefined),
    ));
    signal.throwIfAborted();
    return new Promise<string>((resolve, reject) => {
      const abort = () => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
      signal.addEventListener('abort', abort, { once: true });
      pending.then(resolve, reject).finally(() => signal.removeEventListener('abort', abort));
    });
  }

  /** The token was refused (revoked, or the server restarted): the next call fetches another. */
  forget(token: string): void {
    if (this.token?.value === token) {
      this.token = undefined;
    }
  }

  private async fetchToken(signal: AbortSignal): Promise<string> {
    const res = await fetch(this.o.tokenUrl, {
      method: 'POST',
      headers: { authorization: basicAuthOf(this.o.clientId, this.o.clientSecret), 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', scope: this.o.scope }).toString(),
      signal,
    });
    const body = (await res.json().catch(() => ({}))) as { access_token?: unknown; expires_in?: unknown; error?: unknown };
    if (!res.ok || typeof body.access_token !== 'string') {
      throw new NetworkApiError('token', res.status, typeof body.error === 'string' ? body.error : 'NO_TOKEN');
    }
    const lifetime = typeof body.expires_in === 'number' ? body.expires_in : 300;
    // A minute early (or half the lifetime of a short one), so a call never carries a token that dies on the way.
    this.token = { value: body.access_token, until: this.now() + Math.max(lifetime / 2, lifetime - 60) * 1000 };
    return body.access_token;
  }
}

/** `client_secret_basic` (RFC 6749 §2.3.1): id and secret form-encoded, then base64. */
export function basicAuthOf(clientId: string, clientSecret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(clientId)}:${encodeURIComponent(clientSecret)}`).toString('base64')}`;
}
