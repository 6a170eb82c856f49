import { AppError } from '@outband/errors';
import type { Logger } from '@outband/observability';
import type { AuthorizationResult, AuthorizeRequest, BankAuthorizer, DeclineReason } from './bank-authorizer';
import { CircuitBreaker } from '../../platform/circuit-breaker';

export interface HttpBankOptions {
  url: string;
  timeoutMs: number;
  /** Tries per call; every mutating call carries an idempotency key, so a retry is safe. */
  attempts: number;
  breakerThreshold: number;
  breakerOpenMs: number;
  logger: Logger;
  /** Observes each call: operation, outcome (`ok`, `not_found`, `conflict`, `unavailable`) and seconds. */
  observe?: (operation: string, outcome: string, seconds: number) => void;
}

interface Authorization {
  id: string;
  status: 'approved' | 'declined' | 'captured' | 'voided';
  declineReason?: DeclineReason;
}

/** The bank over HTTP, bounded by timeouts, retries and a circuit breaker. */
export class HttpBankAuthorizer implements BankAuthorizer {
  private readonly breaker: CircuitBreaker;

  constructor(private readonly o: HttpBankOptions) {
    this.breaker = new CircuitBreaker('the bank', o.breakerThreshold, o.breakerOpenMs);
  }

  async authorize(r: AuthorizeRequest): Promise<AuthorizationResult> {
    const { idempotencyKey, ...body } = r;
    const a = (await this.call('POST', '/v1/authorizations', body, idempotencyKey)) as Authorization;
    return a.status === 'declined'
      ? { kind: 'declined', reason: a.declineReason ?? 'do_not_honor' }
      : { kind: 'approved', authorizationId: a.id };
  }

  async capture(authorizationId: string): Promise<void> {
    await this.call('POST', `/v1/authorizations/${encodeURIComponent(authorizationId)}/capture`, {}, `capture:${authorizationId}`);
  }

  async void(authorizationId: string): Promise<void> {
    await this.call('POST', `/v1/authorizations/${encodeURIComponent(authorizationId)}/void`, {}, `void:${authorizationId}`);
  }

  async findAuthorization(idempotencyKey: string) {
    const a = (await this.call('GET', `/v1/authorizations?idempotencyKey=${encodeURIComponent(idempotencyKey)}`)) as
      Authorization | undefined;
    return a ? { authorizationId: a.id, status: a.status } : undefined;
  }

  async identifyCustomer(pan: string) {
    return (await this.call('POST', '/v1/customers/identify', { pan })) as { customerId: string; cardToken: string } | undefined;
  }

  /** One bank call: 404 → undefined, 409 → conflict, 2xx → body; anything else is retried, then unavailable. */
  private async call(method: string, path: string, body?: object, idempotencyKey?: string): Promise<unknown> {
    const operation = operationOf(path);
    const started = performance.now();
    let answer: { status: number; body: unknown };
    try {
      // A refusal (409) is an answer of a working bank: it must not open the breaker.
      answer = await this.breaker.run(() => this.send(method, path, body, idempotencyKey));
    } catch (e) {
      this.o.observe?.(operation, 'unavailable', (performance.now() - started) / 1000);
      throw e;
    }
    const outcome = answer.status === 409 ? 'conflict' : answer.status === 404 ? 'not_found' : 'ok';
    this.o.observe?.(operation, outcome, (performance.now() - started) / 1000);
    if (answer.status === 409) {
      throw new AppError('conflict', 'BANK_CONFLICT', `the bank refused: ${JSON.stringify(answer.body).slice(0, 200)}`);
    }
    return answer.status === 404 ? undefined : answer.body;
  }

  private async send(method: string, path: string, body?: object, idempotencyKey?: string): Promise<{ status: number; body: unknown }> {
    let last: unknown;
    for (let attempt = 1; attempt <= this.o.attempts; attempt++) {
      try {
        const res = await fetch(`${this.o.url}${path}`, {
          method,
          headers: { 'content-type': 'application/json', ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
          ...(body ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(this.o.timeoutMs),
        });
        if (res.ok || res.status === 404 || res.status === 409) {
          return { status: res.status, body: res.status === 404 ? undefined : await res.json() };
        }
        last = new Error(`bank answered ${res.status}`);
      } catch (e) {
        last = e;
      }
      this.o.logger.warn({ path: path.split('?')[0], attempt, err: { message: (last as Error).message } }, 'bank call failed');
      if (attempt < this.o.attempts) {
        await new Promise((r) => setTimeout(r, 50 * 2 ** (attempt - 1)));
      }
    }
    throw new AppError('unavailable', 'BANK_UNAVAILABLE', 'the bank did not answer', { retryable: true, cause: last });
  }
}

/** A bounded label for a bank path (never an id). */
function operationOf(path: string): string {
  if (path.startsWith('/v1/customers')) {
    return 'identify';
  }
  const action = /\/(capture|void)$/.exec(path)?.[1];
  return action ?? (path.includes('?') ? 'find' : 'authorize');
}
