import type { WebhookDeliveryView, WebhookEndpointView } from '@outband/contracts';
import type { DeliveryRecord, EndpointRecord } from './webhook.repository';

/** An endpoint as the merchant sees it (never its secret). */
export function endpointView(e: EndpointRecord): WebhookEndpointView {
  return { id: e.id, url: e.url, events: e.events as WebhookEndpointView['events'], createdAt: e.createdAt.toISOString() };
}

/** A delivery as the merchant's deliveries log shows it. */
export function deliveryView(d: DeliveryRecord): WebhookDeliveryView {
  return {
    id: Number(d.id),
    endpointId: d.endpointId,
    eventId: d.eventId,
    eventType: d.eventType,
    status: d.status,
    attempts: d.attempts,
    ...(d.lastStatusCode !== null ? { lastStatusCode: d.lastStatusCode } : {}),
    ...(d.lastError ? { lastError: d.lastError } : {}),
    createdAt: d.createdAt.toISOString(),
    ...(d.status === 'pending' ? { nextAttemptAt: d.nextAttemptAt.toISOString() } : {}),
    ...(d.deliveredAt ? { deliveredAt: d.deliveredAt.toISOString() } : {}),
  };
}
