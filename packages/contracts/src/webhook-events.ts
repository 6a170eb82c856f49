import { z } from 'zod';
import { purpose, verificationId, type Purpose, type VerificationStatus } from './common';
import { paymentId, paymentState, type PaymentState } from './payments';
import { registeredMessageId } from './registered-messages';

/** The id of one event: `evt_` and 32 hex digits, the same on every delivery and replay of it. */
export const webhookEventId = z.string().regex(/^evt_[0-9a-f]{32}$/, 'must be a webhook event id (evt_ and 32 hex digits)');

/** One event as delivered: the envelope every delivery signs, around the event's own data. */
function delivered<T extends string, D extends z.ZodType>(type: T, data: D) {
  return z.object({ id: webhookEventId, type: z.literal(type), createdAt: z.iso.datetime(), data });
}

/** Why a code went to a number the network flagged: its SIM changed, or it was ported, recently. */
export const numberWarning = z.enum(['SIM_RECENTLY_SWAPPED', 'NUMBER_RECENTLY_PORTED']);
export type NumberWarning = z.infer<typeof numberWarning>;

const verificationData = <S extends z.ZodType>(status: S) =>
  z.object({ id: verificationId, status, purpose, numberWarning: numberWarning.optional() });

export const verificationApprovedEvent = delivered('verification.approved', verificationData(z.literal('approved')));
/** Too many wrong codes. */
export const verificationFailedEvent = delivered('verification.failed', verificationData(z.literal('max_attempts_reached')));
export const verificationExpiredEvent = delivered('verification.expired', verificationData(z.literal('expired')));
/** Canceled by the merchant, by a newer start, or by the end of the session it belonged to. */
export const verificationCanceledEvent = delivered('verification.canceled', verificationData(z.enum(['canceled', 'session_closed'])));

const messageData = <S extends 'delivered' | 'failed'>(state: S) =>
  z.object({
    messageId: z.uuid(),
    verificationId,
    state: z.literal(state),
    /** The SMPP status or receipt error, when the report carried one. */
    error: z.string().optional(),
  });

export const messageDeliveredEvent = delivered('message.delivered', messageData('delivered'));
export const messageFailedEvent = delivered('message.failed', messageData('failed'));

function paymentEvent<S extends PaymentState>(state: S) {
  return delivered(`payment.${state}` as const, z.object({ id: paymentId, state: z.literal(state), cause: z.string().optional() }));
}

/** One `payment.<state>` event per payment state, keyed by the state. */
export const paymentEvents = Object.fromEntries(paymentState.options.map((s) => [s, paymentEvent(s)])) as {
  [S in PaymentState]: ReturnType<typeof paymentEvent<S>>;
};

/** `from` is the sender's identifier, empty when the sender no longer exists. */
export const registeredMessageRetrievedEvent = delivered(
  'registered_message.retrieved',
  z.object({ id: registeredMessageId, from: z.string() }),
);

/** Every webhook event as a merchant's endpoint receives it, told apart by `type`. */
export const webhookEvent = z.discriminatedUnion('type', [
  verificationApprovedEvent,
  verificationFailedEvent,
  verificationExpiredEvent,
  verificationCanceledEvent,
  messageDeliveredEvent,
  messageFailedEvent,
  ...Object.values(paymentEvents),
  registeredMessageRetrievedEvent,
]);
export type WebhookEvent = z.infer<typeof webhookEvent>;
export type VerificationWebhookEvent = Extract<WebhookEvent, { type: `verification.${string}` }>;
export type MessageWebhookEvent = Extract<WebhookEvent, { type: `message.${string}` }>;
export type PaymentWebhookEvent = Extract<WebhookEvent, { type: `payment.${string}` }>;
export type RegisteredMessageWebhookEvent = Extract<WebhookEvent, { type: `registered_message.${string}` }>;

/**
 * An event as its builder makes it: its type, its data, and the key that names it once (a repeated
 * emit of the same key queues nothing more); the webhook service adds the id and the time.
 */
export type WebhookEventDraft<E extends WebhookEvent = WebhookEvent> = E extends WebhookEvent
  ? { type: E['type']; eventKey: string; data: E['data'] }
  : never;

/** The states a verification ends in (a send that failed is no event). */
export type VerificationEndStatus = Exclude<VerificationStatus, 'pending' | 'failed'>;

/** `verification.<event>` for a verification that ended in `status`. */
export function verificationEnded(
  v: { id: string; purpose: Purpose; numberWarning?: NumberWarning | undefined },
  status: VerificationEndStatus,
): WebhookEventDraft<VerificationWebhookEvent> {
  const eventKey = `${v.id}:${status}`;
  const common = { id: v.id, purpose: v.purpose, ...(v.numberWarning ? { numberWarning: v.numberWarning } : {}) };
  switch (status) {
    case 'approved':
      return { type: 'verification.approved', eventKey, data: { ...common, status } };
    case 'max_attempts_reached':
      return { type: 'verification.failed', eventKey, data: { ...common, status } };
    case 'expired':
      return { type: 'verification.expired', eventKey, data: { ...common, status } };
    case 'canceled':
    case 'session_closed':
      return { type: 'verification.canceled', eventKey, data: { ...common, status } };
  }
}

/** `message.<state>` for the final delivery report of a code's message. */
export function messageStateChanged(m: {
  messageId: string;
  verificationId: string;
  state: 'delivered' | 'failed';
  error?: string | undefined;
}): WebhookEventDraft<MessageWebhookEvent> {
  const { messageId, verificationId, state } = m;
  const eventKey = `${messageId}:${state}`;
  const error = m.error ? { error: m.error } : {};
  return state === 'delivered'
    ? { type: 'message.delivered', eventKey, data: { messageId, verificationId, state, ...error } }
    : { type: 'message.failed', eventKey, data: { messageId, verificationId, state, ...error } };
}

/** `payment.<state>` for a payment that moved to the state `to`, once per state. */
export function paymentTransitioned(t: {
  paymentId: string;
  to: PaymentState;
  cause?: string | null;
}): WebhookEventDraft<PaymentWebhookEvent> {
  // A template type cannot tie `type` to `data.state` state by state: the pairing is asserted here.
  return {
    type: `payment.${t.to}`,
    eventKey: `${t.paymentId}:${t.to}`,
    data: { id: t.paymentId, state: t.to, ...(t.cause ? { cause: t.cause } : {}) },
  } as WebhookEventDraft<PaymentWebhookEvent>;
}

/** `registered_message.retrieved` once the addressee has opened a registered message. */
export function registeredMessageRetrieved(id: string, from: string): WebhookEventDraft<RegisteredMessageWebhookEvent> {
  return { type: 'registered_message.retrieved', eventKey: `${id}:retrieved`, data: { id, from } };
}
