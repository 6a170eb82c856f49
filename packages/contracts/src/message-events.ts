import { z } from 'zod';
import { deliveryState, e164, locale, merchantId, purpose, receiverKind, senderName, verificationId } from './common';
import { UNSAFE_TEXT, unsafeTextReason } from './phone-text';

/** Texts without a code that Outband sends a subscriber on its own account. */
export const noticeKind = z.enum(['lockout_warning', 'lockout_permanent', 'registered_waiting', 'registered_retrieved', 'address_changed']);

/**
 * A merchant's own text to phones, with placeholders: `{code}` always; `{amount}` and `{payee}`
 * for a transaction (PSD2 dynamic linking: the user sees what he approves); `{text}` for a
 * certified message; `{minutes}` where it likes.
 */
const template = (required: string[]) =>
  z
    .string()
    .min(1)
    .max(300)
    .refine(
      (t) => required.every((p) => t.split(`{${p}}`).length === 2),
      `must hold ${required.map((p) => `{${p}}`).join(', ')}, each exactly once`,
    )
    .refine(
      (t) => (t.match(/\{[^}]*\}/g) ?? []).every((p) => ['{code}', '{minutes}', '{amount}', '{payee}', '{text}'].includes(p)),
      'knows only {code} {minutes} {amount} {payee} {text}',
    )
    .superRefine((t, ctx) => {
      // What shows digits counts as digits: a digit beside {code} or {amount} would lengthen it.
      const shown = t.replace(/\{(code|amount|minutes)\}/g, '0').replace(/\{[a-z]+\}/g, 'x');
      const touching = /[\p{N}\p{M}]\{|\}[\p{N}\p{M}]/u.test(t) ? 'must not put a digit right beside a placeholder' : undefined;
      const reason = touching ?? unsafeTextReason(shown, { currency: false });
      if (reason !== undefined) {
        ctx.addIssue({ code: 'custom', message: reason, params: { code: UNSAFE_TEXT } });
      }
    });
export const messageTemplates = z.strictObject({
  login: template(['code']).optional(),
  transaction: template(['code', 'amount', 'payee']).optional(),
  message: template(['code', 'text']).optional(),
});
export type MessageTemplates = z.infer<typeof messageTemplates>;
export type NoticeKind = z.infer<typeof noticeKind>;

/**
 * data server → message server: deliver a code to a receiver (patent: message server 109), or
 * a notice (which carries no code and whose delivery is not reported back).
 */
export const messageSendV1 = z
  .object({
    type: z.literal('message.send'),
    version: z.literal(1),
    messageId: z.uuid(),
    verificationId,
    merchantId,
    address: e164,
    receiverKind,
    purpose,
    locale,
    /** The code, sealed for the bus (see `seal`); the message id is its authenticated context. */
    sealedCode: z.string().min(1).max(512).optional(),
    /** Instead of a code: a notice to the subscriber (added in v1, optional). */
    notice: noticeKind.optional(),
    /** For purpose `transaction`: the TransactionData JSON, sealed the same way (added in v1). */
    sealedTransaction: z.string().min(1).max(8192).optional(),
    /** For purpose `message`: the CertifiedMessage JSON, sealed the same way (added in v1). */
    sealedMessage: z.string().min(1).max(8192).optional(),
    expiresInSeconds: z.number().int().min(1).max(3600),
    /** The name the text shows instead of "Outband" (added in v1, optional). */
    senderName: senderName.optional(),
    /** The merchant's own text for a phone (see `messageTemplates`) (added in v1, optional). */
    template: z.string().max(300).optional(),
  })
  .refine((m) => (m.sealedCode === undefined) !== (m.notice === undefined), {
    message: 'a message carries either a sealed code or a notice',
  });
export type MessageSendV1 = z.infer<typeof messageSendV1>;

/** One try to hand a message to an SMSC over one route (all its parts). */
export const deliveryAttempt = z.object({
  number: z.number().int().min(1),
  route: z.string().max(64),
  submittedAt: z.iso.datetime().optional(),
  smscMessageIds: z.array(z.string().max(65)).max(255),
  state: deliveryState,
  error: z.string().max(200).optional(),
});
export type DeliveryAttempt = z.infer<typeof deliveryAttempt>;

/** message server → data server: a message changed delivery state. */
export const messageStatusV1 = z.object({
  type: z.literal('message.status'),
  version: z.literal(1),
  messageId: z.uuid(),
  verificationId,
  state: deliveryState,
  smscMessageId: z.string().max(65).optional(),
  /** SMPP command_status or receipt error, when the state is a failure. */
  error: z.string().max(200).optional(),
  at: z.iso.datetime(),
  /** The delivery attempt this state belongs to (added in v1, optional). */
  attempt: deliveryAttempt.optional(),
});
export type MessageStatusV1 = z.infer<typeof messageStatusV1>;

/** One message's delivery state change, as `message.status` version 2 carries several. */
export const messageStatusReport = messageStatusV1.omit({ type: true, version: true }).extend({
  /** The request that sent the message, for the logs (a batch has no one correlation id). */
  correlationId: z.string().max(128).optional(),
});
export type MessageStatusReport = z.infer<typeof messageStatusReport>;

/**
 * message server → data server: the delivery state changes of one moment, together (version 2):
 * one persistent message, one confirm and one ack for many reports.
 */
export const messageStatusV2 = z.object({
  type: z.literal('message.status'),
  version: z.literal(2),
  reports: z.array(messageStatusReport).min(1).max(100),
});
export type MessageStatusV2 = z.infer<typeof messageStatusV2>;

/** Every `message.status` version a consumer reads. */
export const messageStatus = z.discriminatedUnion('version', [messageStatusV1, messageStatusV2]);
export type MessageStatus = z.infer<typeof messageStatus>;

/** message server → data server: a message sent from a handset (mobile-originated), reassembled. */
export const messageInboundV1 = z.object({
  type: z.literal('message.inbound'),
  version: z.literal(1),
  inboundId: z.uuid(),
  /** The handset's number, E.164. */
  source: z.string().max(21),
  /** The short code or long number it was sent to. */
  destination: z.string().max(21),
  text: z.string().max(10_000),
  connection: z.string().max(64),
  receivedAt: z.iso.datetime(),
});
export type MessageInboundV1 = z.infer<typeof messageInboundV1>;
