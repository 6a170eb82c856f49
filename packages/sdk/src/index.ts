export { Outband } from './outband';
export type { CheckAnswer } from './outband';
export type { CallOptions, ClientOptions } from './client';
export { OutbandError, OutbandNetworkError } from './errors';
export type { Problem } from './errors';
export type { MerchantKey } from './token';
export { verifyWebhook } from './webhooks';
export type { VerifyWebhookOptions, WebhookEnvelope, WebhookEvent } from './webhooks';
export type {
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
  MessageWebhookEvent,
  PaymentWebhookEvent,
  RegisteredMessageWebhookEvent,
  VerificationWebhookEvent,
} from '@outband/contracts';
