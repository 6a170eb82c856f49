import { z } from 'zod';
import { phoneText, safeForPhone } from './phone-text';

export const receiverKind = z.enum(['mobile', 'pager-alpha', 'pager-numeric']);
export type ReceiverKind = z.infer<typeof receiverKind>;

export const purpose = z.enum(['login', 'transaction', 'message']);
export type Purpose = z.infer<typeof purpose>;

export const verificationStatus = z.enum([
  'pending',
  'approved',
  'canceled',
  'max_attempts_reached',
  'expired',
  'failed',
  'session_closed',
]);

/**
 * How the code travels: to the phone (`sms`), or from it (`reverse-sms`, patent aspect 2); or
 * none at all (`silent`): the operator's network says whether the device holds the number; or
 * from an authenticator the person enrolled as a factor: an app's time-based code (`totp`,
 * logins), or a token's response to a challenge shown with what is approved (`ocra-app`).
 */
export const channel = z.enum(['sms', 'reverse-sms', 'silent', 'totp', 'ocra-app']);

/**
 * Where a silent verification sends the device's browser back, with the code that approves it:
 * an https URL of the merchant's (http only to this machine, for development).
 */
export const returnUrl = z
  .string()
  .max(2048)
  .url()
  .refine(
    (u) => /^https:\/\//i.test(u) || /^http:\/\/(localhost|127\.0\.0\.1)(:\d+)?(\/|$)/i.test(u),
    'must be an https URL (http only to localhost)',
  );

/**
 * A signed claim of the phone number (a JWT: `phone_number`, `aud` = the merchant, `iat`, `exp`)
 * by a key the operator trusts for the merchant: the code goes to that number, no record looked up.
 */
export const addressClaim = z
  .string()
  .max(4096)
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/, 'must be a signed JWT (header.payload.signature)');

/**
 * A factor other than the phone that the merchant checked itself (PSD2's knowledge or inherence: a
 * password, a biometric): what a transaction start may name within an address change's cool-down.
 */
export const secondFactor = z.enum(['knowledge', 'inherence']);

/** What a silent verification does when the network cannot say the device holds the number. */
export const silentFallback = z.enum(['sms', 'none']);
export type SilentFallback = z.infer<typeof silentFallback>;
export type Channel = z.infer<typeof channel>;

/** A first-network session (the merchant's login or checkout session; patent: connected mode). */
export const sessionId = z.string().regex(/^se_[0-9a-f]{32}$/, 'must be a session id (se_ and 32 hex digits)');
export type VerificationStatus = z.infer<typeof verificationStatus>;

export const deliveryState = z.enum(['queued', 'submitted', 'delivered', 'failed', 'expired']);
export type DeliveryState = z.infer<typeof deliveryState>;

/** An E.164 number: `+` then 8 to 15 digits, the first not 0. */
export const e164 = z.string().regex(/^\+[1-9][0-9]{7,14}$/, 'must be an E.164 number such as +33612345678');

export const merchantId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, _ or -');

/** Our verification ids: `ve_` and 32 hex digits. */
export const verificationId = z.string().regex(/^ve_[0-9a-f]{32}$/, 'must be a verification id (ve_ and 32 hex digits)');

/** A subscriber identifier as a merchant knows it (login name, customer number, e-mail). */
export const identifier = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

export const locale = z.enum(['en', 'fr']);

/** What a verification's `identifier` names: the subscriber's identifier, or its E.164 address. */
export const identifierKind = z.enum(['identifier', 'address']);

/** Digits of a code (NIST SP 800-63B: at least 6 for a secret that is not throttled; 4 is a floor). */
export const codeLength = z.number().int().min(4).max(10);

/** A brand the SMS shows in place of "Outband": letters, digits, spaces and a little punctuation. */
export const senderName = safeForPhone(
  z
    .string()
    .min(1)
    .max(30)
    .regex(/^[\p{L}\p{N}][\p{L}\p{N} .,'&_-]*$/u, "must be letters, digits, spaces and . , ' & _ -")
    // Texts put the brand right before or after the code ("Code de connexion Acme 482913").
    .refine((s) => !/^\p{N}|\p{N}$/u.test(s.normalize('NFKC')), 'must not start or end with a digit, which would join the code'),
  { currency: false },
);

/**
 * What a transaction code approves (PSD2 RTS Art. 5, dynamic linking): shown in clear on the
 * phone, and any change of it invalidates the code. Amounts are integer minor units.
 */
export const transactionData = z.strictObject({
  amount: z.number().int().min(1).max(1e12),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as EUR'),
  payee: phoneText(64, { currency: false }),
  items: z
    .array(z.strictObject({ name: phoneText(64), quantity: z.number().int().min(1).max(1e6) }))
    .max(50)
    .optional(),
  accounts: z.strictObject({ from: z.string().min(1).max(64), to: z.string().min(1).max(64) }).optional(),
});
export type TransactionData = z.infer<typeof transactionData>;

/** An order or declaration the user certifies (purpose `message`): shown in clear, bound to the code. */
export const certifiedMessage = z.strictObject({
  text: phoneText(300, { digits: 'statement' }),
  reference: z.string().min(1).max(64).optional(),
});
export type CertifiedMessage = z.infer<typeof certifiedMessage>;
