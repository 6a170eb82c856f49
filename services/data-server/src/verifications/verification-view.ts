import type { DeliveryAttempt, VerificationView } from '@outband/contracts';
import type { VerificationRecord } from './verification.repository';
import type { CertificateRepository, VerificationDelivery } from '../delivery/certificate.repository';
import { decoyDelivery } from './start/decoy';
import { numberWarningOf } from '../number-trust/number-check';

type Delivery = VerificationDelivery['latest'];

/**
 * The view of `v` as it now stands, its delivery read in one query; a decoy, or a code withheld
 * from a subscriber (`decoyOf` set on both), shows the delivery it pretends.
 */
export async function currentView(
  certificates: Pick<CertificateRepository, 'deliveryOf'>,
  v: VerificationRecord,
  now: Date,
): Promise<VerificationView> {
  if (v.decoyOf) {
    return toView(v, now, decoyDelivery(v.decoyOf, v.createdAt, now));
  }
  return viewWith(v, now, await certificates.deliveryOf(v.id));
}

/** The view of `v` with its delivery as read; a decoy, or a code withheld, shows the delivery it pretends. */
export function viewWith(v: VerificationRecord, now: Date, delivery: VerificationDelivery): VerificationView {
  if (v.decoyOf) {
    return toView(v, now, decoyDelivery(v.decoyOf, v.createdAt, now));
  }
  return toView(v, now, delivery.latest, delivery.attempts);
}

/** The merchant's view: a pending verification past its expiry reads as expired. */
export function toView(v: VerificationRecord, now: Date, delivery: Delivery, attempts: DeliveryAttempt[] = []): VerificationView {
  const status = v.status === 'pending' && now >= v.expiresAt ? 'expired' : v.status;
  const numberWarning = numberWarningOf(v.numberCheck);
  return {
    id: v.id,
    status,
    purpose: v.purpose,
    to: v.addressMasked,
    createdAt: v.createdAt.toISOString(),
    expiresAt: v.expiresAt.toISOString(),
    attemptsLeft: status === 'pending' ? Math.max(0, v.maxAttempts - v.attempts) : 0,
    ...(v.transaction ? { transaction: v.transaction } : {}),
    ...(v.content ? { message: { digest: v.content.digest, ...(v.content.reference ? { reference: v.content.reference } : {}) } } : {}),
    ...(delivery
      ? {
          delivery: {
            state: delivery.state,
            updatedAt: delivery.updatedAt.toISOString(),
            ...(delivery.error ? { error: delivery.error } : {}),
          },
        }
      : {}),
    ...(attempts.length > 0 ? { deliveries: attempts } : {}),
    ...(v.sessionId ? { sessionId: v.sessionId } : {}),
    ...(v.channel && v.channel !== 'sms' ? { channel: v.channel } : {}),
    ...(v.silent ? { silent: { state: v.silent } } : {}),
    // A Twilio challenge names its factor (the caller gave it); a native start does not say whether one exists.
    ...(v.factorId && v.serviceSid ? { factorId: v.factorId } : {}),
    ...(v.challenge ? { ocra: { challenge: v.challenge } } : {}),
    ...(v.serviceSid ? { serviceSid: v.serviceSid } : {}),
    ...(numberWarning ? { numberWarning } : {}),
  };
}
