import { z } from 'zod';
import {
  certifiedMessage,
  codeLength,
  identifier,
  identifierKind,
  senderName,
  locale,
  merchantId,
  purpose,
  channel,
  sessionId,
  secondFactor,
  addressClaim,
  returnUrl,
  silentFallback,
  transactionData,
  verificationId,
  verificationStatus,
  deliveryState,
} from './common';
import { deliveryAttempt } from './message-events';
import { numberWarning } from './webhook-events';
import { enrolmentActionV1, enrolmentStartV1 } from './enrolments';
import { factorActionV1, factorCreateV1, factorId, factorListV1 } from './factors';
import { twilioAttemptsV1, twilioChallengesV1, twilioEntityV1, twilioServicesV1 } from './twilio-factors';
import { registeredActionV1, registeredSendV1 } from './registered-messages';
import { webhookActionV1, webhookRegisterV1 } from './webhooks';
import { adminActionV1 } from './admin';
import { paymentGetV1, paymentStartV1, paymentView, settlementGetV1, statementGetV1 } from './payments';
import { serviceSid, twilioAuthV1, twilioServiceV1 } from './twilio';

/** information server → data server: start a verification (patent op. 201-205). */
export const verificationStartV1 = z.object({
  type: z.literal('verification.start'),
  version: z.literal(1),
  merchantId,
  identifier,
  purpose,
  locale: locale.optional(),
  /** Required for purpose `transaction` (added in v1, optional). */
  transaction: transactionData.optional(),
  /** Required for purpose `message` (added in v1, optional). */
  message: certifiedMessage.optional(),
  /** The first-network session the code lives in: it dies when the session ends (added in v1). */
  sessionId: sessionId.optional(),
  /** `reverse-sms`: no SMS goes out; the user texts the code back (added in v1). @defaultValue sms */
  channel: channel.optional(),
  /** `address`: `identifier` is the subscriber's E.164 address (Twilio's `To`) (added in v1). */
  identifierKind: identifierKind.optional(),
  /** Digits of the code instead of the suite's (a Twilio service's `CodeLength`) (added in v1). */
  codeLength: codeLength.optional(),
  /** The name the SMS shows instead of "Outband" (a Twilio service's `FriendlyName`) (added in v1). */
  senderName: senderName.optional(),
  /** The Twilio-compatible service the verification belongs to (added in v1). */
  serviceSid: serviceSid.optional(),
  /** The number, as a claim signed by a key the operator trusts for the merchant; `identifier` then only names the person (added in v1). */
  addressClaim: addressClaim.optional(),
  /** The factor besides the phone the merchant checked, for a start within an address change's cool-down (added in v1). */
  secondFactor: secondFactor.optional(),
  /** Channel `silent`: where the device's browser goes once the network has answered (added in v1). */
  returnUrl: returnUrl.optional(),
  /** Channel `silent`: `sms` sends a code when the network does not vouch for the device (added in v1). @defaultValue sms */
  fallback: silentFallback.optional(),
  /** Channel `totp` through a Twilio service: the factor a challenge names, instead of the identifier's own (added in v1). */
  factorId: factorId.optional(),
});
export type VerificationStartV1 = z.infer<typeof verificationStartV1>;

/** information server → data server: the pending verification of a subscriber in a service, if any. */
export const verificationFindV1 = z.object({
  type: z.literal('verification.find'),
  version: z.literal(1),
  merchantId,
  identifier,
  identifierKind: identifierKind.optional(),
  serviceSid: serviceSid.optional(),
});
export type VerificationFindV1 = z.infer<typeof verificationFindV1>;

/** information server → data server: the code the user typed back (the confidential message). */
export const verificationCheckV1 = z.object({
  type: z.literal('verification.check'),
  version: z.literal(1),
  merchantId,
  verificationId,
  submittedCode: z.string().max(64),
  /** The transaction as the merchant presents it now; must equal the one the code approves. */
  transaction: transactionData.optional(),
  /** The certified message as presented now; must equal the one the code approves. */
  message: certifiedMessage.optional(),
  /** The Twilio service the check comes through: another service's verification is unknown there (added in v1). */
  serviceSid: serviceSid.optional(),
});
export type VerificationCheckV1 = z.infer<typeof verificationCheckV1>;

/** information server → data server: send a new code for a pending verification. */
export const verificationResendV1 = z.object({
  type: z.literal('verification.resend'),
  version: z.literal(1),
  merchantId,
  verificationId,
  locale: locale.optional(),
  /** The same transaction or message as at the start: the new code is bound to it again. */
  transaction: transactionData.optional(),
  message: certifiedMessage.optional(),
});
export type VerificationResendV1 = z.infer<typeof verificationResendV1>;

export const verificationGetV1 = z.object({
  type: z.literal('verification.get'),
  version: z.literal(1),
  merchantId,
  verificationId,
});
export type VerificationGetV1 = z.infer<typeof verificationGetV1>;

export const verificationCancelV1 = z.object({
  type: z.literal('verification.cancel'),
  version: z.literal(1),
  merchantId,
  verificationId,
  /** `approved`: the merchant confirmed a login by other means (added in v1). @defaultValue canceled */
  status: z.enum(['canceled', 'approved']).optional(),
});
export type VerificationCancelV1 = z.infer<typeof verificationCancelV1>;

/**
 * information server → data server: the operator's network sent the device's browser back from a
 * silent verification, with an authorization code or an error (OIDC authorization response).
 */
export const silentCompleteV1 = z.object({
  type: z.literal('silent.complete'),
  version: z.literal(1),
  state: z.string().min(1).max(256),
  code: z.string().min(1).max(2048).optional(),
  error: z.string().max(128).optional(),
});
export type SilentCompleteV1 = z.infer<typeof silentCompleteV1>;

/** Where the device's browser goes next: the merchant's return URL with the verification and its outcome. */
export const silentRedirect = z.object({ redirect: z.string() });
export type SilentRedirect = z.infer<typeof silentRedirect>;

/** information server → data server: open a first-network session for a subscriber. */
export const sessionOpenV1 = z.object({ type: z.literal('session.open'), version: z.literal(1), merchantId, identifier });
export type SessionOpenV1 = z.infer<typeof sessionOpenV1>;

/** information server → data server: read a session, keep it alive, or end it. */
export const sessionActionV1 = z.object({
  type: z.literal('session.action'),
  version: z.literal(1),
  merchantId,
  sessionId,
  action: z.enum(['get', 'heartbeat', 'end']),
});
export type SessionActionV1 = z.infer<typeof sessionActionV1>;

export const sessionView = z.object({
  id: sessionId,
  status: z.enum(['open', 'closed']),
  closeReason: z.enum(['ended', 'idle']).optional(),
  openedAt: z.string(),
  lastSeenAt: z.string(),
  closedAt: z.string().optional(),
  /** Once closed: how long it was open, what the duration register bills. */
  durationSeconds: z.number().optional(),
  idleTimeoutSeconds: z.number(),
});
export type SessionView = z.infer<typeof sessionView>;

/** information server → data server: the keys a merchant signs its JWTs with. */
export const merchantKeysGetV1 = z.object({
  type: z.literal('merchant.keys.get'),
  version: z.literal(1),
  merchantId,
});
export type MerchantKeysGetV1 = z.infer<typeof merchantKeysGetV1>;

export const dataRpcRequest = z.discriminatedUnion('type', [
  verificationStartV1,
  enrolmentStartV1,
  enrolmentActionV1,
  factorCreateV1,
  factorActionV1,
  factorListV1,
  twilioEntityV1,
  twilioChallengesV1,
  twilioAttemptsV1,
  twilioServicesV1,
  verificationFindV1,
  twilioAuthV1,
  twilioServiceV1,
  verificationCheckV1,
  verificationResendV1,
  verificationGetV1,
  verificationCancelV1,
  silentCompleteV1,
  merchantKeysGetV1,
  sessionOpenV1,
  sessionActionV1,
  registeredSendV1,
  registeredActionV1,
  webhookRegisterV1,
  webhookActionV1,
  adminActionV1,
  paymentStartV1,
  paymentGetV1,
  statementGetV1,
  settlementGetV1,
]);
export type DataRpcRequest = z.infer<typeof dataRpcRequest>;

/** What a merchant may see of a verification: never the code, the address only masked. */
export const verificationView = z.object({
  id: verificationId,
  status: verificationStatus,
  purpose,
  to: z.string(),
  createdAt: z.string(),
  expiresAt: z.string(),
  attemptsLeft: z.number().int().min(0),
  /** For purpose `transaction`: amount, currency and payee the code approves. */
  transaction: z.object({ amount: z.number(), currency: z.string(), payee: z.string() }).optional(),
  /** The Twilio-compatible service it belongs to. */
  serviceSid: serviceSid.optional(),
  /** For purpose `message`: the SHA-256 of the certified text, as on the certificate record. */
  message: z.object({ digest: z.string(), reference: z.string().optional() }).optional(),
  delivery: z.object({ state: deliveryState, updatedAt: z.string(), error: z.string().optional() }).optional(),
  /** Each try to hand the message to an SMSC: route, time, SMSC ids, state, error. */
  deliveries: z.array(deliveryAttempt).optional(),
  /** The first-network session the code lives in (added in v1). */
  sessionId: sessionId.optional(),
  channel: channel.optional(),
  /**
   * Only in the answer that starts a `reverse-sms` verification: the code to show the user on
   * the first network and the number to text it to from the phone.
   */
  reverse: z.object({ code: z.string(), sendTo: z.string() }).optional(),
  /** The operator's network flagged the number before the code went out (the merchant's policy sends and warns). */
  numberWarning: numberWarning.optional(),
  /**
   * Channel `silent`: `pending` until the device's browser comes back, then `verified` (the
   * network vouched for the device: approved), `fallback` (a code went by SMS) or `failed`. `url`,
   * only in the answer that starts it, is where the merchant's page sends the device's browser.
   */
  silent: z.object({ state: z.enum(['pending', 'verified', 'fallback', 'failed']), url: z.string().optional() }).optional(),
  /** A Twilio challenge: the factor it names. */
  factorId: factorId.optional(),
  /** Channel `ocra-app`: the challenge to show with what is approved; the enrolled token's response is the code. */
  ocra: z.object({ challenge: z.string() }).optional(),
});
export type VerificationView = z.infer<typeof verificationView>;

/** The result of one check: the new view plus, for a wrong code, why it was refused. */
export const checkResult = z.object({
  verification: verificationView,
  outcome: z.enum(['approved', 'mismatch', 'burned']),
  /** For a refused check: whether the code or the transaction data differed (added in v1). */
  mismatch: z.enum(['code', 'transaction', 'message']).optional(),
  /** When the verification secures a payment: the payment after this check (added in v1). */
  payment: paymentView.optional(),
});
export type CheckResult = z.infer<typeof checkResult>;

export const merchantKeyView = z.object({
  kid: z.string(),
  alg: z.enum(['HS256', 'RS256', 'ES256']),
  /** HS256: the shared secret, base64. RS256/ES256: the PEM public key. */
  key: z.string(),
});
export type MerchantKeyView = z.infer<typeof merchantKeyView>;

export const merchantKeys = z.object({
  merchantId,
  active: z.boolean(),
  keys: z.array(merchantKeyView),
});
export type MerchantKeys = z.infer<typeof merchantKeys>;
