import type {
  EnrolmentView,
  FactorList,
  FactorView,
  MerchantRequest,
  PaymentView,
  RegisteredView,
  SessionView,
  SettlementView,
  StatementView,
  VerificationView,
  WebhookActionResult,
  WebhookEndpointView,
} from '@outband/contracts';
import { HttpClient, type CallOptions, type ClientOptions } from './client';

/** A check's answer: the verification, and for a wrong code why it was refused. */
export type CheckAnswer = VerificationView & {
  cause?: { code: 'CODE_MISMATCH' | 'TRANSACTION_MISMATCH' | 'MESSAGE_MISMATCH' | 'TOO_MANY_ATTEMPTS'; detail: string };
  payment?: PaymentView;
};

const seg = encodeURIComponent;

/**
 * The merchant API, one typed method per route. Every call signs its own token; POSTs carry an
 * idempotency key, so the client's retries never start a second verification or send a second SMS.
 */
export class Outband {
  private readonly http: HttpClient;

  constructor(options: ClientOptions) {
    this.http = new HttpClient(options);
  }

  readonly verifications = {
    start: (body: MerchantRequest<'verificationStart'>, o?: CallOptions) =>
      this.http.request<VerificationView>('POST', '/v1/verifications', body, o),
    get: (id: string) => this.http.request<VerificationView>('GET', `/v1/verifications/${seg(id)}`),
    check: (id: string, body: MerchantRequest<'verificationCheck'>, o?: CallOptions) =>
      this.http.request<CheckAnswer>('POST', `/v1/verifications/${seg(id)}/check`, body, o),
    resend: (id: string, body: MerchantRequest<'verificationResend'> = {}, o?: CallOptions) =>
      this.http.request<VerificationView>('POST', `/v1/verifications/${seg(id)}/resend`, body, o),
    cancel: (id: string, o?: CallOptions) =>
      this.http.request<VerificationView>('POST', `/v1/verifications/${seg(id)}/cancel`, undefined, o),
  };

  readonly payments = {
    start: (body: MerchantRequest<'paymentStart'>, o?: CallOptions) => this.http.request<PaymentView>('POST', '/v1/payments', body, o),
    get: (id: string) => this.http.request<PaymentView>('GET', `/v1/payments/${seg(id)}`),
  };

  readonly sessions = {
    open: (body: MerchantRequest<'sessionOpen'>, o?: CallOptions) => this.http.request<SessionView>('POST', '/v1/sessions', body, o),
    get: (id: string) => this.http.request<SessionView>('GET', `/v1/sessions/${seg(id)}`),
    heartbeat: (id: string, o?: CallOptions) => this.http.request<SessionView>('POST', `/v1/sessions/${seg(id)}/heartbeat`, undefined, o),
    end: (id: string) => this.http.request<SessionView>('DELETE', `/v1/sessions/${seg(id)}`),
  };

  /** A number its holder proves with a code, then certified for an identifier. */
  readonly enrolments = {
    start: (body: MerchantRequest<'enrolmentStart'>, o?: CallOptions) =>
      this.http.request<EnrolmentView>('POST', '/v1/enrolments', body, o),
    get: (id: string) => this.http.request<EnrolmentView>('GET', `/v1/enrolments/${seg(id)}`),
    confirm: (id: string, body: MerchantRequest<'enrolmentConfirm'>, o?: CallOptions) =>
      this.http.request<EnrolmentView>('POST', `/v1/enrolments/${seg(id)}/confirm`, body, o),
  };

  /**
   * Authenticators (a TOTP app): `create` answers the secret once (`binding`: an otpauth:// URI and
   * a QR code), `confirm` takes its first code; then `verifications.start({ channel: 'totp' })`.
   */
  readonly factors = {
    create: (body: MerchantRequest<'factorCreate'>, o?: CallOptions) => this.http.request<FactorView>('POST', '/v1/factors', body, o),
    list: (identifier: string) => this.http.request<FactorList>('GET', `/v1/factors?identifier=${seg(identifier)}`),
    get: (id: string) => this.http.request<FactorView>('GET', `/v1/factors/${seg(id)}`),
    confirm: (id: string, body: MerchantRequest<'factorConfirm'>, o?: CallOptions) =>
      this.http.request<FactorView>('POST', `/v1/factors/${seg(id)}/confirm`, body, o),
    delete: (id: string) => this.http.request<FactorView>('DELETE', `/v1/factors/${seg(id)}`),
  };

  readonly registeredMessages = {
    send: (body: MerchantRequest<'registeredSend'>, o?: CallOptions) =>
      this.http.request<RegisteredView>('POST', '/v1/registered-messages', body, o),
    get: (id: string) => this.http.request<RegisteredView>('GET', `/v1/registered-messages/${seg(id)}`),
    confirm: (id: string, code: string, o?: CallOptions) =>
      this.http.request<RegisteredView>('POST', `/v1/registered-messages/${seg(id)}/confirm`, { code }, o),
    retrieve: (id: string, o?: CallOptions) =>
      this.http.request<RegisteredView>('POST', `/v1/registered-messages/${seg(id)}/retrieve`, undefined, o),
    open: (id: string, code: string, o?: CallOptions) =>
      this.http.request<RegisteredView>('POST', `/v1/registered-messages/${seg(id)}/open`, { code }, o),
  };

  readonly webhooks = {
    register: (body: MerchantRequest<'webhookRegister'>, o?: CallOptions) =>
      this.http.request<WebhookEndpointView>('POST', '/v1/webhooks', body, o),
    list: () => this.http.request<WebhookActionResult>('GET', '/v1/webhooks'),
    remove: (id: string) => this.http.request<WebhookActionResult>('DELETE', `/v1/webhooks/${seg(id)}`),
    /** A new secret (in the answer) signs every delivery from now on: accept both while you deploy it. */
    rotate: (id: string, o?: CallOptions) => this.http.request<WebhookActionResult>('POST', `/v1/webhooks/${seg(id)}/rotate`, undefined, o),
    deliveries: (id: string) => this.http.request<WebhookActionResult>('GET', `/v1/webhooks/${seg(id)}/deliveries`),
    replay: (deliveryId: number, o?: CallOptions) =>
      this.http.request<WebhookActionResult>('POST', `/v1/webhooks/deliveries/${deliveryId}/replay`, undefined, o),
  };

  /** A subscriber's billing register with this merchant for one month (`YYYY-MM`). */
  statement(identifier: string, period: string): Promise<StatementView> {
    return this.http.request<StatementView>('GET', `/v1/subscribers/${seg(identifier)}/statement?period=${seg(period)}`);
  }

  /** The same statement as CSV. */
  statementCsv(identifier: string, period: string): Promise<string> {
    return this.http.request<string>('GET', `/v1/subscribers/${seg(identifier)}/statement?period=${seg(period)}`, undefined, {
      accept: 'text/csv',
    });
  }

  /** The merchant's settlement for one month: gross, service charge, net. */
  settlement(period: string): Promise<SettlementView> {
    return this.http.request<SettlementView>('GET', `/v1/settlements?period=${seg(period)}`);
  }
}
