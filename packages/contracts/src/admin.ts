import { z } from 'zod';
import { e164, identifier, merchantId, receiverKind, senderName } from './common';
import { messageTemplates } from './message-events';
import { twilioCredentialsView } from './twilio';

export const merchantKeyId = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1-64 letters, digits, _ . or -');

/** A merchant's JWT key: HS256 with a shared secret (base64, at least 32 bytes), or a PEM public key. */
export const merchantKeyInput = z.discriminatedUnion('alg', [
  z.strictObject({
    kid: merchantKeyId,
    alg: z.literal('HS256'),
    key: z
      .string()
      .regex(/^[A-Za-z0-9+/]+={0,2}$/, 'must be base64')
      .refine((k) => Buffer.from(k, 'base64').length >= 32, 'must hold at least 32 bytes'),
  }),
  z.strictObject({
    kid: merchantKeyId,
    alg: z.enum(['RS256', 'ES256']),
    key: z
      .string()
      .max(4096)
      .regex(/^-----BEGIN PUBLIC KEY-----[\s\S]+-----END PUBLIC KEY-----\s*$/, 'must be a PEM public key'),
  }),
]);

/** A public key the operator trusts to sign a merchant's address claims (e.g. its bank's identity provider). */
export const claimKeyInput = z.strictObject({
  kid: merchantKeyId,
  alg: z.enum(['RS256', 'ES256']),
  /** PEM public key; the data server checks it is one of `alg`'s type and size. */
  key: z.string().max(4096),
});

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
  /** Digits of this merchant's codes (NIST SP 800-63B: at least 6); null: the suite's. */
  codeLength: z.number().int().min(6).max(10).nullable().optional(),
  /** Lifetime of this merchant's codes (at most 10 minutes); null: the installation's. */
  codeTtlSeconds: z.number().int().min(30).max(600).nullable().optional(),
  /** The brand texts show instead of "Outband"; null: Outband. */
  senderName: senderName.nullable().optional(),
  /** The merchant's own texts to phones, per purpose; null: the built-in ones. */
  templates: messageTemplates.nullable().optional(),
  /**
   * Before a code goes to a mobile number whose SIM changed, or that was ported, within
   * `simSwapHours`: refuse it, require the reverse channel, or send it and warn; null: the installation's.
   */
  simSwapAction: z.enum(['off', 'refuse', 'reverse', 'warn']).nullable().optional(),
  /** How recent a SIM change or port counts, in hours (CAMARA `maxAge`); null: the installation's. */
  simSwapHours: z.number().int().min(1).max(2400).nullable().optional(),
  /**
   * A transaction start within `ADDRESS_CHANGE_COOLDOWN_HOURS` of an address change: `refuse`, or
   * `second_factor` (accepted when the start names the second factor the merchant checked); null: the installation's.
   */
  addressChangeAction: z.enum(['refuse', 'second_factor']).nullable().optional(),
  /** The keys the operator trusts to sign this merchant's address claims; null: none (claims refused). */
  claimKeys: z
    .array(claimKeyInput)
    .max(10)
    .refine((keys) => new Set(keys.map((k) => k.kid)).size === keys.length, 'kids must be unique')
    .nullable()
    .optional(),
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
    /** Adds or replaces a merchant's JWT key; two may be active at once, so keys rotate. */
    action: z.literal('key.put'),
    merchantId,
    key: merchantKeyInput,
  }),
  z.object({
    type: z.literal('admin.action'),
    version: z.literal(1),
    actor,
    action: z.literal('key.retire'),
    merchantId,
    kid: merchantKeyId,
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
