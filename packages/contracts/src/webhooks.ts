import { z } from 'zod';
import { merchantId } from './common';

export const webhookEndpointId = z.string().regex(/^we_[0-9a-f]{32}$/, 'must be a webhook endpoint id (we_ and 32 hex digits)');

/** Events a merchant can subscribe to; `payment.*` takes every payment state. */
export const webhookEventType = z.enum([
  'verification.approved',
  'verification.failed',
  'verification.expired',
  'verification.canceled',
  'message.delivered',
  'message.failed',
  'payment.*',
  'registered_message.retrieved',
]);

export const webhookRegisterV1 = z.object({
  type: z.literal('webhook.register'),
  version: z.literal(1),
  merchantId,
  url: z.url({ protocol: /^https?$/ }).max(2000),
  events: z.array(webhookEventType).min(1).max(10),
});
export type WebhookRegisterV1 = z.infer<typeof webhookRegisterV1>;

/** List, remove or rotate the secret of endpoints; list deliveries of one; replay one delivery. */
export const webhookActionV1 = z.object({
  type: z.literal('webhook.action'),
  version: z.literal(1),
  merchantId,
  action: z.enum(['list', 'remove', 'rotate', 'deliveries', 'replay']),
  endpointId: webhookEndpointId.optional(),
  deliveryId: z.number().int().min(1).optional(),
});
export type WebhookActionV1 = z.infer<typeof webhookActionV1>;

export const webhookEndpointView = z.object({
  id: webhookEndpointId,
  url: z.string(),
  events: z.array(webhookEventType),
  createdAt: z.string(),
  /** Only when created or rotated: the signing secret, shown once. */
  secret: z.string().optional(),
});
export type WebhookEndpointView = z.infer<typeof webhookEndpointView>;

export const webhookDeliveryView = z.object({
  id: z.number(),
  endpointId: webhookEndpointId,
  eventId: z.string(),
  eventType: z.string(),
  status: z.enum(['pending', 'delivered', 'failed']),
  attempts: z.number(),
  lastStatusCode: z.number().optional(),
  lastError: z.string().optional(),
  createdAt: z.string(),
  nextAttemptAt: z.string().optional(),
  deliveredAt: z.string().optional(),
});
export type WebhookDeliveryView = z.infer<typeof webhookDeliveryView>;

/** What every webhook action answers: endpoints or deliveries, as the action says. */
export const webhookActionResult = z.object({
  endpoints: z.array(webhookEndpointView).optional(),
  deliveries: z.array(webhookDeliveryView).optional(),
});
export type WebhookActionResult = z.infer<typeof webhookActionResult>;
