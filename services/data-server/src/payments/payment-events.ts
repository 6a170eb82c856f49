import { paymentTransitioned } from '@outband/contracts';
import type { PaymentTransitionHooks } from './payment.repository';
import type { WebhookService } from '../webhooks/webhook.service';
import type { DataServerMetrics } from '../platform/metrics';

/**
 * What follows each payment transition: the merchant's `payment.<state>` webhook, once per
 * state, queued in the transition's transaction (a crash right after the commit loses neither),
 * and its count once it has committed.
 */
export function paymentTransitions(
  webhooks: Pick<WebhookService, 'emit'>,
  m: Pick<DataServerMetrics, 'paymentStates'>,
): PaymentTransitionHooks {
  return {
    inTransaction: (tx, t) => webhooks.emit(t.merchantId, paymentTransitioned(t), tx),
    committed: (t) => m.paymentStates.inc({ state: t.to }),
  };
}
