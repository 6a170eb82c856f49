import { z } from 'zod';
import { e164, identifier, merchantId, receiverKind } from './common';
import { twilioCredentialsView } from './twilio';

/** Who did it: the operator token's name, recorded in the audit trail. */
const actor = z.string().regex(/^[A-Za-z0-9_.-]{1,20}$/);

export const merchantPolicyInput = z.strictObject({
  limitAmount: z.number().int().min(0).max(1e12).nullable().optional(),
  lowValueRule: z.enum(['none', 'cumulative_amount', 'count']).optional(),
  authorizeAfterCheck: z.boolean().optional(),
  billingMode: z.enum(['amount', 'per_verification', 'duration']).optional(),
  billingValue: z.number().int().min(0).max(1e9).optional(),
  billingCurrency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
  serviceChargeBps: z.number().int().min(0).max(10_000).optional(),
  allowedCountries: z
    .array(z.string().regex(/^[A-Z]{2}$/))
    .max(250)
    .nullable()
    .optional(),
  limitPerSecond: z.number().int().min(1).max(100_000).nullable().optional(),
  limitPerDay: z.number().int().min(1).max(100_000_000).nullable().optional(),
});

/** information server → data server: an operator's action (admin API); each one is audited. */
export const adminActionV1 = z.discriminatedUnion('action', [
  z.object({
    type: z.literal('admin.action'),
    version: z.literal(1),
    actor,
    action: z.literal('merchant.list'),
    cursor: merchantId.optional(),
    limit: z.number().int().min(1).max(100),
  }),
  z.object({
    type: z.literal('admin.action'),
    version: z.literal(1),
    actor,
    action: z.literal('merchant.upsert'),
    merchantId,
    name: z.string().min(1).max(200),
  }),
  z.object({
    type: z.literal('admin.action'),
    version: z.literal(1),
    actor,
    action: z.literal('merchant.status'),
    merchantId,
    status: z.enum(['active', 'suspended']),
  }),
  z.object({
    type: z.literal('admin.action'),
    version: z.literal(1),
    actor,
    action: z.literal('policy.set'),
    merchantId,
    policy: merchantPolicyInput,
  }),
  z.object({
    type: z.literal('admin.action'),
    version: z.literal(1),
    actor,
    action: z.literal('subscriber.upsert'),
    identifier,
    address: e164,
    receiverKind: receiverKind.optional(),
    locale: z.enum(['en', 'fr']).optional(),
  }),
  z.object({
    type: z.literal('admin.action'),
    version: z.literal(1),
    actor,
    action: z.literal('subscriber.status'),
    identifier,
    status: z.enum(['active', 'suspended']),
  }),
  z.object({
    type: z.literal('admin.action'),
    version: z.literal(1),
    actor,
    /** Credentials of the Twilio-compatible surface: an auth token (replacing the last) or an API key. */
    action: z.literal('twilio.credentials'),
    merchantId,
    kind: z.enum(['auth_token', 'api_key']),
  }),
]);
export type AdminActionV1 = z.infer<typeof adminActionV1>;

/** What an admin action answers: the merchants of a page (and the next cursor), or what it changed. */
export const adminResult = z.object({
  merchants: z.array(z.object({ id: z.string(), name: z.string(), status: z.string() })).optional(),
  nextCursor: z.string().optional(),
  done: z.string().optional(),
  /** Issued Twilio-compatible credentials; the secret is shown this once. */
  credentials: twilioCredentialsView.optional(),
});
export type AdminResult = z.infer<typeof adminResult>;
