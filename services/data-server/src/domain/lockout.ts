import { AppError } from '@outband/errors';
import type { NoticeKind } from '@outband/contracts';
import type { AuditLog } from '../adapters/audit-log';
import type { FailureCounter } from '../adapters/failure-counter';
import type { Subscriber, SubscriberRepository } from '../adapters/subscriber.repository';
import type { VerificationRecord } from '../adapters/verification.repository';

/** The lockout rules (NIST SP 800-63B-4 §3.1.3.2): failures per subscriber, escalating blocks. */
export interface LockoutDeps {
  failures: Pick<FailureCounter, 'blockedFor' | 'add'>;
  audit: Pick<AuditLog, 'append'>;
  subscribers: Pick<SubscriberRepository, 'findById' | 'setStatus'>;
  sendNotice: (subscriber: Subscriber, notice: NoticeKind, context: { verificationId: string; merchantId: string }) => Promise<void>;
  blocksBeforePermanent: number;
  clock: () => Date;
}

/**
 * One more failed check of the subscriber. When it starts a temporary block, blocks escalate:
 * the one before the last warns the subscriber by SMS; the last suspends the subscriber for
 * good (an operator reopens it) and says so.
 */
export async function countFailure(d: LockoutDeps, v: VerificationRecord): Promise<void> {
  const blocks = await d.failures.add(holderOf(v));
  if (blocks === 0) {
    return;
  }
  const permanent = d.blocksBeforePermanent > 0 && blocks >= d.blocksBeforePermanent;
  await d.audit.append({
    at: d.clock(),
    kind: 'subscriber.blocked',
    merchantId: v.merchantId,
    verificationId: v.id,
    subscriberId: v.subscriberId,
    outcome: permanent ? 'permanent' : `temporary:${blocks}`,
  });
  const subscriber = v.subscriberId === null ? undefined : await d.subscribers.findById(v.subscriberId);
  if (!subscriber) {
    return;
  }
  if (permanent) {
    await d.subscribers.setStatus(subscriber.id, 'suspended');
    await d.sendNotice(subscriber, 'lockout_permanent', { verificationId: v.id, merchantId: v.merchantId });
  } else if (blocks === d.blocksBeforePermanent - 1) {
    await d.sendNotice(subscriber, 'lockout_warning', { verificationId: v.id, merchantId: v.merchantId });
  }
}

/** Whose failures a check counts: the subscriber's, or a decoy's (which blocks the same way). */
export function holderOf(v: VerificationRecord): number | string {
  return v.subscriberId ?? `d${v.decoyOf}`;
}

export async function refuseIfBlocked(d: Pick<LockoutDeps, 'failures'>, holder: number | string): Promise<void> {
  const seconds = await d.failures.blockedFor(holder);
  if (seconds > 0) {
    throw new AppError('rate_limited', 'SUBSCRIBER_LOCKED', 'too many failed checks for this subscriber: temporarily blocked', {
      details: { retryAfterSeconds: seconds },
    });
  }
}
