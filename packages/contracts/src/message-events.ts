import { z } from 'zod';
import { deliveryState, e164, locale, merchantId, purpose, receiverKind, verificationId } from './common';

/** data server → message server: deliver a code to a receiver (patent: message server 109). */
export const messageSendV1 = z.object({
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
  sealedCode: z.string().min(1).max(512),
  expiresInSeconds: z.number().int().min(1).max(3600),
});
export type MessageSendV1 = z.infer<typeof messageSendV1>;

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
});
export type MessageStatusV1 = z.infer<typeof messageStatusV1>;
