import { AppError } from '@outband/errors';
import type { Purpose } from '@outband/contracts';
import type { Subscriber } from '../../subscribers/subscriber.repository';
import type { VerificationServiceDeps } from '../verification.deps';
import { auditRefusedStart } from './refused-start';

/**
 * No transaction is signed with a number that changed less than the cool-down ago: a change
 * nobody asked for (its old handset was told) leaves the person time to react before money moves.
 * Logins go on. The refusal is audited, then answered.
 */
export async function refuseRecentAddress(
  d: Pick<VerificationServiceDeps, 'addressCooldownMs' | 'audit'>,
  merchantId: string,
  receiver: Subscriber,
  purpose: Purpose,
  now: Date,
): Promise<void> {
  const changedAt = receiver.addressChangedAt?.getTime();
  if (purpose !== 'transaction' || !d.addressCooldownMs || changedAt === undefined) {
    return;
  }
  const waitMs = changedAt + d.addressCooldownMs - now.getTime();
  if (waitMs <= 0) {
    return;
  }
  await auditRefusedStart(d.audit, { merchantId, subscriberId: receiver.id, code: 'ADDRESS_RECENTLY_CHANGED', at: now });
  throw new AppError('forbidden', 'ADDRESS_RECENTLY_CHANGED', 'this number changed recently: transactions are not signed with it yet', {
    details: { retryAfterSeconds: Math.ceil(waitMs / 1000) },
  });
}
