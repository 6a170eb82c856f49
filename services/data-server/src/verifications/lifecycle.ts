import { verificationEnded } from '@outband/contracts';
import type { PaymentService } from '../payments/payment.service';
import type { Bookings } from '../billing/bookings';
import type { WebhookService } from '../webhooks/webhook.service';
import type { VerificationRecord } from './verification.repository';
import type { FinalState } from './pending/pending-secret.store';
import { numberWarningOf } from '../number-trust/number-check';

/**
 * When the payment an end releases is settled: `now`, or by the payment sweep, for an end that
 * happens inside another request (a newer start, a closed session) which must not wait on the bank.
 */
export type PaymentSettlement = 'now' | 'sweep';

/**
 * The one place that says what happens when a verification ends, whoever ends it (a check over
 * the API, a text from the phone, a registered message, a cancel, a newer start, a closed
 * session, a code found expired): the merchant's webhook is queued, the fee is booked when it was
 * approved, and the payment it secures is settled (captured, or released). The verification
 * service calls `onEnded` once per end, right after recording it; the sweeps finish what a crash
 * left halfway, and every step here is idempotent so that finishing twice does no harm.
 */
export class VerificationLifecycle {
  constructor(
    private readonly d: {
      webhooks: Pick<WebhookService, 'emit'>;
      bookings: Pick<Bookings, 'verificationApproved'>;
      payments: Pick<PaymentService, 'onVerificationEnd'>;
    },
  ) {}

  /** The consequences of an end that has been recorded. */
  async onEnded(v: VerificationRecord, status: FinalState, payment: PaymentSettlement = 'now'): Promise<void> {
    await this.d.webhooks.emit(v.merchantId, verificationEnded({ ...v, numberWarning: numberWarningOf(v.numberCheck) }, status));
    if (status === 'approved') {
      await this.d.bookings.verificationApproved(v);
    }
    if (payment === 'now') {
      await this.d.payments.onVerificationEnd(v.id, status, v.purpose);
    }
  }
}
