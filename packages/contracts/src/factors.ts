import { z } from 'zod';
import { identifier, merchantId } from './common';
import { serviceSid } from './twilio';

/**
 * A factor: an authenticator a person enrolled with a merchant: an app's time-based codes (`totp`),
 * or an app or hardware token answering challenges with RFC 6287 OCRA (`ocra`).
 */
export const factorId = z.string().regex(/^fa_[0-9a-f]{32}$/, 'must be a factor id (fa_ and 32 hex digits)');
export const factorType = z.enum(['totp', 'ocra']);
export type FactorType = z.infer<typeof factorType>;

/** What an authenticator shows: its code, or its response to a challenge. */
export const authenticatorCode = z.string().regex(/^\d{6,10}$/, 'must be the 6 to 10 digits the authenticator shows');
const typedCode = authenticatorCode;

/**
 * `POST /v1/factors`: a new secret for `identifier`'s authenticator, answered once as an
 * `otpauth://` URI and a QR code; it checks nothing until a first code confirms it.
 */
export const factorCreate = z.strictObject({
  identifier,
  type: factorType,
  /** The account name the app shows beside the issuer (default: the identifier). */
  label: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[^:\p{Cc}]+$/u, 'must not hold a colon or control characters')
    .optional(),
});

/** `POST /v1/factors/:id/confirm`: the first code the authenticator shows (an OCRA token's: its response to `binding.challenge`). */
export const factorConfirm = z.strictObject({ code: typedCode });

/** information server → data server: enrol a factor. */
export const factorCreateV1 = z.object({
  type: z.literal('factor.create'),
  version: z.literal(1),
  merchantId,
  identifier,
  factorType,
  label: z.string().max(64).optional(),
  /** Through a Twilio service: the factor belongs to the service's entity `identifier`, apart from the merchant's own. */
  serviceSid: serviceSid.optional(),
});
export type FactorCreateV1 = z.infer<typeof factorCreateV1>;

/** What every action on a factor names: the factor, and the Twilio service it is reached through, if any. */
const factorAction = {
  type: z.literal('factor.action'),
  version: z.literal(1),
  merchantId,
  factorId,
  serviceSid: serviceSid.optional(),
};

/** information server → data server: read, confirm, rename or delete a factor. */
export const factorActionV1 = z.discriminatedUnion('action', [
  z.object({ ...factorAction, action: z.enum(['get', 'delete']) }),
  z.object({ ...factorAction, action: z.literal('confirm'), code: typedCode }),
  z.object({ ...factorAction, action: z.literal('rename'), label: z.string().min(1).max(64) }),
]);
export type FactorActionV1 = z.infer<typeof factorActionV1>;

export const factorListV1 = z.object({
  type: z.literal('factor.list'),
  version: z.literal(1),
  merchantId,
  identifier,
  serviceSid: serviceSid.optional(),
});
export type FactorListV1 = z.infer<typeof factorListV1>;

export const factorView = z.object({
  id: factorId,
  identifier,
  type: factorType,
  /** `unverified` until a first code confirms it; `verified` checks logins; `failed` after too many wrong confirms. */
  status: z.enum(['unverified', 'verified', 'failed', 'deleted']),
  label: z.string(),
  /** A TOTP app's algorithm, digits and step; an OCRA token's suite. */
  config: z.object({
    algorithm: z.enum(['SHA1', 'SHA256', 'SHA512']),
    digits: z.number().int(),
    periodSeconds: z.number().int().optional(),
    suite: z.string().optional(),
  }),
  createdAt: z.string(),
  updatedAt: z.string(),
  verifiedAt: z.string().optional(),
  /** The Twilio service it was enrolled through, if any. */
  serviceSid: serviceSid.optional(),
  /** Only in the answer that created it: what the person's app takes. Never shown again. */
  binding: z
    .object({
      /** TOTP: the shared secret, base32; OCRA: the token's key, hex. */
      secret: z.string(),
      /** TOTP: the otpauth:// URI apps read, and as a QR code. */
      uri: z.string().optional(),
      qr: z.object({ svg: z.string(), png: z.string() }).optional(),
      /** OCRA: the suite the token computes, and the challenge whose response confirms it. */
      suite: z.string().optional(),
      challenge: z.string().optional(),
    })
    .optional(),
  /** At a confirm: why the code was refused, the factor still unverified. */
  cause: z.object({ code: z.string(), detail: z.string() }).optional(),
});
export type FactorView = z.infer<typeof factorView>;

export const factorList = z.object({ factors: z.array(factorView) });
export type FactorList = z.infer<typeof factorList>;
