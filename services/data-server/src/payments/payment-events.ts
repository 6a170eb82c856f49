import { paymentTransitioned } from '@outband/contracts';
import type { PaymentTransition } from './payment.repository';
import type { WebhookService } from '../webhooks/webhook.service';
import type { DataServerMetrics } from '../platform/metrics';

/** What follows each payment transition: its count, and the merchant's `payment.<state>` webhook, once per state. */
export function paymentTransitions(
  webhooks: Pick<WebhookService, 'emit'>,
  m: Pick<DataServerMetrics, 'paymentStates'>,
): (t: PaymentTransition) => Promise<void> {
  return async (t) => {
    m.paymentStates.inc({ state: t.to });
    await webhooks.emit(t.merchantId, paymentTransitioned(t));
  };
}
