import type { DeliveryAttempt, VerificationView } from '@outband/contracts';
import type { VerificationRecord } from '../adapters/verification.repository';
import type { CertificateRepository } from '../adapters/certificate.repository';

type Delivery = Awaited<ReturnType<CertificateRepository['latestFor']>>;

/** The merchant's view: a pending verification past its expiry reads as expired. */
export function toView(v: VerificationRecord, now: Date, delivery: Delivery, attempts: DeliveryAttempt[] = []): VerificationView {
  const status = v.status === 'pending' && now >= v.expiresAt ? 'expired' : v.status;
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
    ...(v.channel === 'reverse-sms' ? { channel: v.channel } : {}),
    ...(v.serviceSid ? { serviceSid: v.serviceSid } : {}),
  };
}
