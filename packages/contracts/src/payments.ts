import { z } from 'zod';
import { identifier, locale, merchantId, transactionData, verificationId } from './common';

export const paymentId = z.string().regex(/^pa_[0-9a-f]{32}$/, 'must be a payment id (pa_ and 32 hex digits)');

export const paymentState = z.enum([
  'created',
  'authorized',
  'code_sent',
  'verified',
  'captured',
  'declined',
  'expired',
  'failed',
  'voided',
]);
export type PaymentState = z.infer<typeof paymentState>;

/**
 * Where the card comes from: `card` a bank token the merchant holds (Fig. 7), `contract` the
 * card on file of the subscriber's contract (Fig. 8), `terminal` a card number read by a payment
 * terminal, from which the bank identifies the customer (Fig. 9).
 */
export const paymentSource = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('card'), identifier, cardToken: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/) }),
  z.strictObject({ kind: z.literal('contract'), identifier }),
  z.strictObject({
    kind: z.literal('terminal'),
    terminalId: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
    pan: z.string().regex(/^\d{12,19}$/, 'must be the 12 to 19 digits of the card number'),
  }),
]);
export type PaymentSource = z.infer<typeof paymentSource>;

/** How a payment's code is had: by SMS, or from the payer's OCRA token answering a challenge. */
export const paymentChannel = z.enum(['sms', 'ocra-app']);

/** information server → data server: start a payment (patent Fig. 7-10). */
export const paymentStartV1 = z.object({
  type: z.literal('payment.start'),
  version: z.literal(1),
  merchantId,
  source: paymentSource,
  transaction: transactionData,
  locale: locale.optional(),
  channel: paymentChannel.optional(),
});
export type PaymentStartV1 = z.infer<typeof paymentStartV1>;

export const paymentGetV1 = z.object({ type: z.literal('payment.get'), version: z.literal(1), merchantId, paymentId });
export type PaymentGetV1 = z.infer<typeof paymentGetV1>;

export const period = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'must be a month as YYYY-MM');

export const statementGetV1 = z.object({ type: z.literal('statement.get'), version: z.literal(1), merchantId, identifier, period });
export type StatementGetV1 = z.infer<typeof statementGetV1>;

export const settlementGetV1 = z.object({ type: z.literal('settlement.get'), version: z.literal(1), merchantId, period });
export type SettlementGetV1 = z.infer<typeof settlementGetV1>;

export const paymentView = z.object({
  id: paymentId,
  state: paymentState,
  /** `secured` needs the code; `normal` (below the merchant's limit) does not. */
  securing: z.enum(['secured', 'normal']),
  source: z.enum(['card', 'contract', 'terminal']),
  amount: z.number(),
  currency: z.string(),
  payee: z.string(),
  /** Why the payment is in its state (a decline reason, an error code). */
  cause: z.string().optional(),
  verificationId: verificationId.optional(),
  /** The subscriber's masked address the code went to. */
  to: z.string().optional(),
  /** Channel `ocra-app`, in the start's answer: the challenge to show beside the amount and payee. */
  ocra: z.object({ challenge: z.string() }).optional(),
  /** For a terminal, once captured: the lines it prints on the ticket. */
  ticket: z.array(z.string()).optional(),
  history: z.array(z.object({ state: paymentState, at: z.string(), cause: z.string().optional() })),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type PaymentView = z.infer<typeof paymentView>;

export const ledgerEntryView = z.object({
  bookedAt: z.string(),
  kind: z.enum(['amount', 'duration', 'per_verification']),
  amount: z.number(),
  currency: z.string(),
  paymentId: z.string().optional(),
  verificationId: z.string().optional(),
});

export const statementView = z.object({
  identifier,
  period,
  entries: z.array(ledgerEntryView),
  totals: z.array(z.object({ currency: z.string(), amount: z.number() })),
});
export type StatementView = z.infer<typeof statementView>;

export const settlementView = z.object({
  merchantId,
  period,
  serviceChargeBasisPoints: z.number(),
  lines: z.array(z.object({ currency: z.string(), payments: z.number(), gross: z.number(), serviceCharge: z.number(), net: z.number() })),
  /** Fees per verification (billing per verification), by currency. */
  verificationFees: z.array(z.object({ currency: z.string(), verifications: z.number(), amount: z.number() })),
});
export type SettlementView = z.infer<typeof settlementView>;
