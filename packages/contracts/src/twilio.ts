import { z } from 'zod';
import { merchantId } from './common';

/** Twilio's id format: two capital letters and 32 hex digits (`AC…`, `VA…`, `SK…`, `VE…`). */
const sid = (prefix: string) => z.string().regex(new RegExp(`^${prefix}[0-9a-f]{32}$`), `must be ${prefix} and 32 hex digits`);
export const accountSid = sid('AC');
export const serviceSid = sid('VA');
export const apiKeySid = sid('SK');

/**
 * information server → data server: who holds these HTTP Basic credentials of the
 * Twilio-compatible surface (an account SID and auth token, or an API key SID and secret).
 */
export const twilioAuthV1 = z.object({
  type: z.literal('twilio.auth'),
  version: z.literal(1),
  username: z.string().max(64),
  password: z.string().max(128),
});
export type TwilioAuthV1 = z.infer<typeof twilioAuthV1>;

/** The merchant the credentials belong to, and its account SID. */
export const twilioPrincipal = z.object({ merchantId, accountSid });
export type TwilioPrincipal = z.infer<typeof twilioPrincipal>;

/** information server → data server: create, read, update or delete a Verify service of the merchant. */
export const twilioServiceV1 = z.object({
  type: z.literal('twilio.service'),
  version: z.literal(1),
  merchantId,
  action: z.enum(['create', 'get', 'update', 'delete']),
  serviceSid: serviceSid.optional(),
  friendlyName: z.string().min(1).max(30).optional(),
  codeLength: z.number().int().min(4).max(10).optional(),
});
export type TwilioServiceV1 = z.infer<typeof twilioServiceV1>;

export const twilioServiceView = z.object({
  sid: serviceSid,
  accountSid,
  friendlyName: z.string(),
  codeLength: z.number().int(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type TwilioServiceView = z.infer<typeof twilioServiceView>;

/** What issuing Twilio-compatible credentials answers; the secret is shown once. */
export const twilioCredentialsView = z.object({ accountSid, sid: z.string(), secret: z.string() });
export type TwilioCredentialsView = z.infer<typeof twilioCredentialsView>;
