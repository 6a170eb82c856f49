import type { PaymentRecord } from './payment.repository';

/** What a payment terminal prints on the customer's ticket once the payment is captured (Fig. 9). */
export function terminalTicket(p: PaymentRecord, capturedAt: Date): string[] {
  const { amount, currency, payee } = p.transaction;
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const major = (amount / 10 ** digits).toFixed(digits);
  return [
    payee.slice(0, 32),
    `TERMINAL ${p.terminalId ?? ''}`.trim(),
    capturedAt.toISOString().slice(0, 16).replace('T', ' ') + ' UTC',
    `AMOUNT ${major} ${currency}`,
    'APPROVED - CODE CONFIRMED',
    `AUTH ${p.authorizationId ?? ''}`,
    `REF ${p.id}`,
  ];
}
