import type { PaymentTransition } from './payment.repository';
import type { WebhookService } from '../webhooks/webhook.service';

/** Each payment transition is the merchant's `payment.<state>` webhook, once per state. */
export function paymentWebhook(webhooks: Pick<WebhookService, 'emit'>): (t: PaymentTransition) => Promise<void> {
  return (t) =>
    webhooks.emit(t.merchantId, `payment.${t.to}`, `${t.paymentId}:${t.to}`, {
      id: t.paymentId,
      state: t.to,
      ...(t.cause ? { cause: t.cause } : {}),
    });
}
