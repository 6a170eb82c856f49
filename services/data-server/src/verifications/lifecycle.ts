import { AppError } from '@outband/errors';
import type { CheckResult, PaymentView, Purpose, VerificationView } from '@outband/contracts';
import type { PaymentService, VerificationEnd } from '../payments/payment.service';
import type { VerificationService } from './verification.service';
import type { BoundData } from './codes/bound-data';

/** A check and what its end did to the verification's payment, if it had one. */
export interface EndedCheck {
  result: CheckResult;
  payment?: PaymentView;
}

/**
 * The one place that says what happens when a verification ends, whoever ends it (a check over
 * the API, a text from the phone, a registered message, a cancel): its fee is booked when it was
 * approved and its payment is settled (captured, or released). The verification service records
 * the end itself and emits its webhook; the sweeps finish what a crash left halfway.
 */
export class VerificationLifecycle {
  constructor(
    private readonly d: {
      verifications: Pick<VerificationService, 'check' | 'cancel'>;
      payments: Pick<PaymentService, 'onVerificationEnd'>;
    },
  ) {}

  /** The consequences of an end that has been recorded. */
  onEnded(merchantId: string, verificationId: string, end: VerificationEnd, purpose?: Purpose): Promise<PaymentView | undefined> {
    return this.d.payments.onVerificationEnd(merchantId, verificationId, end, purpose);
  }

  /** Cancels (or, for a login, approves without a code) on the merchant's word; a cancel goes through `onEnded`. */
  async cancel(merchantId: string, verificationId: string, to?: 'canceled' | 'approved'): Promise<VerificationView> {
    const view = await this.d.verifications.cancel(merchantId, verificationId, to);
    if (view.status === 'canceled') {
      await this.onEnded(merchantId, verificationId, 'canceled');
    }
    return view;
  }

  /** Checks a typed code; an end the check causes (approved, burned, expired) goes through `onEnded`. */
  async check(
    merchantId: string,
    verificationId: string,
    code: string,
    presented: BoundData = {},
    serviceSid?: string,
  ): Promise<EndedCheck> {
    let result: CheckResult;
    try {
      result = await this.d.verifications.check(merchantId, verificationId, code, presented, serviceSid);
    } catch (e) {
      if (e instanceof AppError && e.code === 'VERIFICATION_EXPIRED') {
        await this.onEnded(merchantId, verificationId, 'expired');
      }
      throw e;
    }
    const end = endOf(result);
    const payment = end ? await this.onEnded(merchantId, verificationId, end, result.verification.purpose) : undefined;
    return payment ? { result, payment } : { result };
  }
}

/** The end a check's outcome means, if it ended the verification. */
function endOf(result: CheckResult): VerificationEnd | undefined {
  return result.outcome === 'approved' ? 'approved' : result.outcome === 'burned' ? 'max_attempts_reached' : undefined;
}
