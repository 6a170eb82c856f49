import { randomUUID } from 'node:crypto';
import { OutbandError, OutbandNetworkError, type Problem } from './errors';
import { merchantToken, type MerchantKey } from './token';

export interface ClientOptions {
  /** Where the information server answers, e.g. `https://verify.example.com`. */
  baseUrl: string;
  /** The merchant id (`iss` of its tokens). */
  merchantId: string;
  key: MerchantKey;
  /** The server's `JWT_AUDIENCE`; default `outband`. */
  audience?: string;
  /** Lifetime of each token; default 60 s. */
  tokenLifetimeSeconds?: number;
  /** Retries after a network error, a timeout, 502, 503 or 504; default 2. */
  maxRetries?: number;
  /** Bound on each attempt; default 20 s. */
  timeoutMs?: number;
  /** First pause between attempts, doubled each time unless the server says `Retry-After`; default 250 ms. */
  retryBaseMs?: number;
  fetch?: typeof fetch;
}

export interface CallOptions {
  /**
   * For a POST: the key that makes a retry safe. The client makes one per call and keeps it
   * across its own retries; pass your own to make retries of your own safe too.
   */
  idempotencyKey?: string;
  /** `Accept` header, for the routes that also answer CSV. */
  accept?: string;
}

const retriedStatuses = new Set([502, 503, 504]);

/** The HTTP core: a fresh token per attempt, problem+json to errors, safe retries. */
export class HttpClient {
  private readonly fetch: typeof fetch;

  constructor(private readonly o: ClientOptions) {
    this.fetch = o.fetch ?? fetch;
  }

  async request<T>(method: 'GET' | 'POST' | 'DELETE', path: string, body?: unknown, options: CallOptions = {}): Promise<T> {
    const idempotencyKey = method === 'POST' ? (options.idempotencyKey ?? randomUUID()) : undefined;
    const maxRetries = this.o.maxRetries ?? 2;
    for (let attempt = 0; ; attempt += 1) {
      let res: Response;
      try {
        res = await this.fetch(new URL(path, this.o.baseUrl), {
          method,
          headers: {
            authorization: `Bearer ${merchantToken(this.o.merchantId, this.o.key, {
              audience: this.o.audience ?? 'outband',
              lifetimeSeconds: this.o.tokenLifetimeSeconds ?? 60,
            })}`,
            accept: options.accept ?? 'application/json',
            ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
            ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}),
          },
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(this.o.timeoutMs ?? 20_000),
        });
      } catch (e) {
        // A GET can always be repeated; a POST only because it carries its idempotency key.
        if (attempt < maxRetries) {
          await this.pause(attempt);
          continue;
        }
        throw new OutbandNetworkError(`${method} ${path}: no answer after ${attempt + 1} attempts`, { cause: e });
      }
      if (res.ok) {
        return (res.headers.get('content-type')?.includes('json') ? await res.json() : await res.text()) as T;
      }
      const retryAfter = retryAfterSeconds(res.headers.get('retry-after'));
      if (retriedStatuses.has(res.status) && attempt < maxRetries) {
        await res.body?.cancel();
        await this.pause(attempt, retryAfter);
        continue;
      }
      throw new OutbandError(await problemOf(res), retryAfter);
    }
  }

  private async pause(attempt: number, retryAfter?: number): Promise<void> {
    const ms = retryAfter !== undefined ? retryAfter * 1000 : (this.o.retryBaseMs ?? 250) * 2 ** attempt;
    await new Promise((r) => setTimeout(r, Math.min(ms, 30_000)));
  }
}

async function problemOf(res: Response): Promise<Problem> {
  const text = await res.text();
  try {
    const parsed = JSON.parse(text) as Partial<Problem>;
    if (typeof parsed.code === 'string') {
      return { ...parsed, status: res.status, code: parsed.code };
    }
  } catch {
    // not JSON: a proxy's page, say
  }
  return { status: res.status, code: `HTTP_${res.status}`, detail: text.slice(0, 200) };
}

function retryAfterSeconds(header: string | null): number | undefined {
  const n = Number(header);
  return header !== null && Number.isFinite(n) && n >= 0 ? n : undefined;
}
