import { AppError } from '@outband/errors';
import type { NoticeKind } from '@outband/contracts';
import type { AuditLog } from '../audit/audit-log';
import type { FailureCounter } from './failure-counter';
import type { Subscriber, SubscriberRepository } from '../subscribers/subscriber.repository';
import type { VerificationRecord } from '../verifications/verification.repository';

/** The lockout rules (NIST SP 800-63B-4 §3.1.3.2): consecutive failures per subscriber and merchant, repeated blocks. */
export interface LockoutDeps {
  failures: Pick<FailureCounter, 'blockedFor' | 'add'>;
  audit: Pick<AuditLog, 'append'>;
  subscribers: Pick<SubscriberRepository, 'findById'>;
  sendNotice: (subscriber: Subscriber, notice: NoticeKind, context: { verificationId: string; merchantId: string }) => Promise<void>;
  blocksBeforePermanent: number;
  clock: () => Date;
}

/**
 * One more failed check of the subscriber at this merchant. Failures are the merchant's own: an
 * attacker who knows an identifier and types wrong codes at one shop blocks the person there,
 * for a while, and nowhere else. Blocks repeat but never suspend the subscriber: a suspension is
 * an operator's decision (or the subscriber's, through the operator). The one before the warned
 * count, and each one from it on, tells the subscriber by SMS, so a person under attack knows.
 */
export async function countFailure(d: LockoutDeps, v: VerificationRecord): Promise<void> {
  const blocks = await d.failures.add(failureKeyOf(v));
  if (blocks === 0) {
    return;
  }
  const repeated = d.blocksBeforePermanent > 0 && blocks >= d.blocksBeforePermanent;
  await d.audit.append({
    at: d.clock(),
    kind: 'subscriber.blocked',
    merchantId: v.merchantId,
    verificationId: v.id,
    subscriberId: v.subscriberId,
    outcome: repeated ? `repeated:${blocks}` : `temporary:${blocks}`,
  });
  const subscriber = v.subscriberId === null ? undefined : await d.subscribers.findById(v.subscriberId);
  if (!subscriber) {
    return;
  }
  if (repeated) {
    await d.sendNotice(subscriber, 'lockout_permanent', { verificationId: v.id, merchantId: v.merchantId });
  } else if (blocks === d.blocksBeforePermanent - 1) {
    await d.sendNotice(subscriber, 'lockout_warning', { verificationId: v.id, merchantId: v.merchantId });
  }
}

/**
 * Whose failures a check counts: the subscriber's, or a decoy's (which blocks the same way); an
 * enrolment's (a number nobody holds yet) are its own, bounded by its attempts.
 */
export function holderOf(v: VerificationRecord): number | string {
  return v.subscriberId ?? (v.decoyOf ? `d${v.decoyOf}` : `e${v.id}`);
}

/** Failures and blocks are counted per subscriber and merchant. */
export function failureHolder(holder: number | string, merchantId: string): string {
  return `${holder}:${merchantId}`;
}

/** The failure counter's key of a verification's holder at its merchant. */
export function failureKeyOf(v: VerificationRecord): string {
  return failureHolder(holderOf(v), v.merchantId);
}

export async function refuseIfBlocked(d: Pick<LockoutDeps, 'failures'>, holder: number | string, merchantId: string): Promise<void> {
  const seconds = await d.failures.blockedFor(failureHolder(holder, merchantId));
  if (seconds > 0) {
    throw new AppError('rate_limited', 'SUBSCRIBER_LOCKED', 'too many failed checks for this subscriber: temporarily blocked', {
      details: { retryAfterSeconds: seconds },
    });
  }
}
