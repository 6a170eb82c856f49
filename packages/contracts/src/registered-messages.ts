import { z } from 'zod';
import { identifier, merchantId, verificationId, e164 } from './common';
import { phoneText } from './phone-text';

export const registeredMessageId = z.string().regex(/^rm_[0-9a-f]{32}$/, 'must be a registered message id (rm_ and 32 hex digits)');

/** The content of a registered message: a text and an optional attachment (base64). */
export const registeredContent = z.strictObject({
  subject: phoneText(100).optional(),
  text: z.string().min(1).max(20_000),
  attachment: z
    .strictObject({
      name: z.string().min(1).max(200),
      contentType: z
        .string()
        .regex(/^[\w.+-]+\/[\w.+-]+$/, 'must be a media type such as application/pdf')
        .max(100),
      base64: z
        .string()
        .regex(/^[A-Za-z0-9+/]*={0,2}$/, 'must be base64')
        .max(700_000),
    })
    .optional(),
});
export type RegisteredContent = z.infer<typeof registeredContent>;

/** information server → data server: a sender subscriber deposits a message for an addressee. */
export const registeredSendV1 = z.object({
  type: z.literal('registered.send'),
  version: z.literal(1),
  merchantId,
  from: identifier,
  to: z.union([z.strictObject({ identifier }), z.strictObject({ address: e164 })]),
  content: registeredContent,
});
export type RegisteredSendV1 = z.infer<typeof registeredSendV1>;

/**
 * information server → data server: read it, confirm the deposit with the sender's code, ask
 * for the addressee's code, or open it with that code.
 */
export const registeredActionV1 = z.object({
  type: z.literal('registered.action'),
  version: z.literal(1),
  merchantId,
  id: registeredMessageId,
  action: z.enum(['get', 'confirm', 'retrieve', 'open']),
  code: z.string().max(64).optional(),
});
export type RegisteredActionV1 = z.infer<typeof registeredActionV1>;

export const registeredState = z.enum(['awaiting_confirmation', 'deposited', 'retrieved', 'abandoned']);

export const registeredView = z.object({
  id: registeredMessageId,
  state: registeredState,
  from: z.string(),
  /** The addressee's masked address. */
  to: z.string(),
  /** SHA-256 of the content, as on the certificates. */
  digest: z.string(),
  sizeBytes: z.number(),
  /** The verification the sender confirms the deposit with, then the one the addressee opens it with. */
  senderVerificationId: verificationId.optional(),
  retrievalVerificationId: verificationId.optional(),
  createdAt: z.string(),
  depositedAt: z.string().optional(),
  retrievedAt: z.string().optional(),
  /** The content was deleted after the retention period. */
  contentDeletedAt: z.string().optional(),
  /** Only in the answer to a successful `open`. */
  content: registeredContent.optional(),
  /** For a refused code: why, as for a verification check. */
  cause: z.object({ code: z.string(), detail: z.string() }).optional(),
});
export type RegisteredView = z.infer<typeof registeredView>;
