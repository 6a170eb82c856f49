import { z } from 'zod';
import {
  addressClaim,
  certifiedMessage,
  channel,
  e164,
  identifier,
  locale,
  purpose,
  returnUrl,
  secondFactor,
  sessionId,
  silentFallback,
  transactionData,
} from './common';
import { paymentChannel, paymentSource } from './payments';
import { registeredContent } from './registered-messages';
import { webhookEventType } from './webhooks';
import { enrolmentConfirm, enrolmentStart } from './enrolments';
import { factorConfirm, factorCreate } from './factors';

/**
 * The request bodies of the merchant HTTP API (`/v1`). The information server validates with
 * them, the OpenAPI document describes them, the SDK types its calls with them.
 */
const typedCode = z.string().regex(/^\d{4,10}$/, 'must be the 4 to 10 digits received');

const verificationStart = z
  .strictObject({
    identifier,
    purpose: purpose.default('login'),
    locale: locale.optional(),
    /** Required for purpose `transaction`: what the code approves (amount in minor units). */
    transaction: transactionData.optional(),
    /** Required for purpose `message`: the order or declaration the code certifies. */
    message: certifiedMessage.optional(),
    /** The first-network session the code lives in: it dies when the session ends. */
    sessionId: sessionId.optional(),
    /**
     * `reverse-sms`: the answer carries a code to show and a number the user texts it to.
     * `silent` (logins): the answer carries a URL for the device's browser; the operator's network
     * says whether that device holds the number.
     */
    channel: channel.optional(),
    /**
     * The number as a claim signed by a key the operator trusts for this merchant (a JWT with
     * `phone_number`, `aud` = the merchant id, `iat`, `exp`): the code goes there, and `identifier`
     * only names the person. Channel `sms` only.
     */
    addressClaim: addressClaim.optional(),
    /**
     * Transactions, within the cool-down after the subscriber's number changed, where the merchant's
     * policy takes a second factor: the one the merchant checked itself (`knowledge`: a password;
     * `inherence`: a biometric).
     */
    secondFactor: secondFactor.optional(),
    /** Channel `silent`: where the device's browser comes back to (`?verification=…&outcome=…`). */
    returnUrl: returnUrl.optional(),
    /** Channel `silent`: `sms` (default) sends a code when the network does not vouch for the device; `none` fails. */
    fallback: silentFallback.optional(),
  })
  .refine((b) => (b.purpose === 'transaction') === (b.transaction !== undefined), {
    path: ['transaction'],
    message: 'required for purpose "transaction", and only for it',
  })
  .refine((b) => (b.purpose === 'message') === (b.message !== undefined), {
    path: ['message'],
    message: 'required for purpose "message", and only for it',
  })
  .refine((b) => (b.channel === 'silent') === (b.returnUrl !== undefined), {
    path: ['returnUrl'],
    message: 'required for channel "silent", and only for it',
  })
  .refine((b) => b.fallback === undefined || b.channel === 'silent', { path: ['fallback'], message: 'only for channel "silent"' })
  .refine((b) => b.channel !== 'totp' || (b.purpose === 'login' && b.addressClaim === undefined), {
    path: ['channel'],
    message: 'channel "totp" is for logins: a transaction or a message is approved by a code shown with it',
  })
  .refine((b) => b.channel !== 'ocra-app' || b.addressClaim === undefined, {
    path: ['channel'],
    message: 'channel "ocra-app" answers with the enrolled token: an address claim names a number',
  });

const verificationCheck = z.strictObject({
  code: typedCode,
  /** For a transaction: the data as the merchant presents it now. */
  transaction: transactionData.optional(),
  /** For a certified message: the text as presented now. */
  message: certifiedMessage.optional(),
});

const verificationResend = z.strictObject({
  locale: locale.optional(),
  /** For a transaction or a certified message: the same data as at the start. */
  transaction: transactionData.optional(),
  message: certifiedMessage.optional(),
});

const paymentStart = z.strictObject({
  /** Who pays and with which card: a card token, the contract's card on file, or a terminal's card. */
  source: paymentSource,
  /** What the code approves and the bank charges (amount in minor units). */
  transaction: transactionData,
  locale: locale.optional(),
  /** `ocra-app`: no SMS; the answer carries a challenge the payer's enrolled token answers (offline signing). */
  channel: paymentChannel.optional(),
});

const sessionOpen = z.strictObject({ identifier });

const registeredSend = z.strictObject({
  /** The sender subscriber, who confirms the deposit with a code. */
  from: identifier,
  /** The addressee: a subscriber identifier or the subscriber's address. */
  to: z.union([z.strictObject({ identifier }), z.strictObject({ address: e164 })]),
  content: registeredContent,
});

const registeredCode = z.strictObject({ code: typedCode });

const webhookRegister = z.strictObject({
  url: z.url({ protocol: /^https?$/ }).max(2000),
  events: z.array(webhookEventType).min(1).max(10),
});

export const merchantApi = {
  verificationStart,
  verificationCheck,
  verificationResend,
  paymentStart,
  sessionOpen,
  registeredSend,
  registeredCode,
  webhookRegister,
  enrolmentStart,
  enrolmentConfirm,
  factorCreate,
  factorConfirm,
};

/** What a caller sends to one route (defaults may be left out). */
export type MerchantRequest<K extends keyof typeof merchantApi> = z.input<(typeof merchantApi)[K]>;
