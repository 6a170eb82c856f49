import { z } from 'zod';
import { e164, identifier, merchantId, verificationId } from './common';
import { factorId } from './factors';
import { serviceSid, twilioServiceView } from './twilio';

/** information server → data server: a Twilio service's entities (the people its factors belong to). */
export const twilioEntityV1 = z.object({
  type: z.literal('twilio.entity'),
  version: z.literal(1),
  merchantId,
  serviceSid,
  action: z.enum(['create', 'get', 'delete', 'list']),
  /** Twilio's `Identity`: the merchant's id of the person, as a native identifier. Not for `list`. */
  identity: identifier.optional(),
});
export type TwilioEntityV1 = z.infer<typeof twilioEntityV1>;

export const twilioEntityView = z.object({
  sid: z.string().regex(/^YE[0-9a-f]{32}$/),
  serviceSid,
  identity: identifier,
  createdAt: z.string(),
});
export type TwilioEntityView = z.infer<typeof twilioEntityView>;

export const twilioEntityList = z.object({ entities: z.array(twilioEntityView) });
export type TwilioEntityList = z.infer<typeof twilioEntityList>;

/** information server → data server: the challenges (TOTP verifications) of an entity of a service. */
export const twilioChallengesV1 = z.object({
  type: z.literal('twilio.challenges'),
  version: z.literal(1),
  merchantId,
  serviceSid,
  identity: identifier,
  factorId: factorId.optional(),
});
export type TwilioChallengesV1 = z.infer<typeof twilioChallengesV1>;

/** information server → data server: verification attempts of the merchant's Twilio services, listed or summed. */
export const twilioAttemptsV1 = z.object({
  type: z.literal('twilio.attempts'),
  version: z.literal(1),
  merchantId,
  action: z.enum(['list', 'summary']),
  serviceSid: serviceSid.optional(),
  verificationId: verificationId.optional(),
  /** Twilio's `ChannelData.To`: a number (E.164) or a subscriber identifier. */
  to: z.union([e164, identifier]).optional(),
  channel: z.string().max(16).optional(),
  /** `converted`: its verification was approved. */
  status: z.enum(['converted', 'unconverted']).optional(),
  createdAfter: z.string().datetime().optional(),
  createdBefore: z.string().datetime().optional(),
  /** @defaultValue 0 */
  page: z.number().int().min(0).max(1_000).optional(),
  /** @defaultValue 50 */
  pageSize: z.number().int().min(1).max(1000).optional(),
});
export type TwilioAttemptsV1 = z.infer<typeof twilioAttemptsV1>;

export const twilioAttemptView = z.object({
  verificationId,
  serviceSid,
  channel: z.string(),
  converted: z.boolean(),
  /** The address the code went to, masked. */
  to: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TwilioAttemptView = z.infer<typeof twilioAttemptView>;

export const twilioAttempts = z.object({
  attempts: z.array(twilioAttemptView),
  /** Whether a next page has more. */
  more: z.boolean(),
  /** A summary's counts (a list's page has none). */
  total: z.number().int().optional(),
  converted: z.number().int().optional(),
});
export type TwilioAttempts = z.infer<typeof twilioAttempts>;

/** information server → data server: list the merchant's Verify services. */
export const twilioServicesV1 = z.object({ type: z.literal('twilio.services'), version: z.literal(1), merchantId });
export type TwilioServicesV1 = z.infer<typeof twilioServicesV1>;

export const twilioServiceList = z.object({ services: z.array(twilioServiceView) });
export type TwilioServiceList = z.infer<typeof twilioServiceList>;
