import { z } from 'zod';
import { e164, identifier, locale, merchantId, verificationId } from './common';

/** An enrolment: a number a person proves they hold, to be certified as an identifier's address. */
export const enrolmentId = z.string().regex(/^en_[0-9a-f]{32}$/, 'must be an enrolment id (en_ and 32 hex digits)');

/** `POST /v1/enrolments`: a code goes to `address`; its confirm certifies it for `identifier`. */
export const enrolmentStart = z.strictObject({ identifier, address: e164, locale: locale.optional() });

/** `POST /v1/enrolments/:id/confirm`: the code the new number received. */
export const enrolmentConfirm = z.strictObject({ code: z.string().regex(/^\d{4,10}$/, 'must be the 4 to 10 digits received') });

/** information server → data server: send a code to a number someone wants certified. */
export const enrolmentStartV1 = z.object({
  type: z.literal('enrolment.start'),
  version: z.literal(1),
  merchantId,
  identifier,
  address: e164,
  locale: locale.optional(),
});
export type EnrolmentStartV1 = z.infer<typeof enrolmentStartV1>;

/** information server → data server: confirm an enrolment with its code, or read it. */
export const enrolmentActionV1 = z.discriminatedUnion('action', [
  z.object({ type: z.literal('enrolment.action'), version: z.literal(1), merchantId, enrolmentId, action: z.literal('get') }),
  z.object({
    type: z.literal('enrolment.action'),
    version: z.literal(1),
    merchantId,
    enrolmentId,
    action: z.literal('confirm'),
    code: z.string().regex(/^\d{4,10}$/),
  }),
]);
export type EnrolmentActionV1 = z.infer<typeof enrolmentActionV1>;

export const enrolmentView = z.object({
  id: enrolmentId,
  /** `confirmed`: the number is now the identifier's certified address. */
  status: z.enum(['pending', 'confirmed', 'failed', 'expired']),
  identifier,
  /** The number being enrolled, masked. */
  to: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  attemptsLeft: z.number().int().min(0),
  /** The verification whose code went to the number (its webhooks name it). */
  verificationId,
  confirmedAt: z.string().optional(),
  /** At a confirm: why the code was refused (`CODE_MISMATCH`), the enrolment still pending. */
  cause: z.object({ code: z.string(), detail: z.string() }).optional(),
});
export type EnrolmentView = z.infer<typeof enrolmentView>;
