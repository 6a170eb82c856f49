import { AppError } from '@outband/errors';
import type { Purpose } from '@outband/contracts';
import type { AddressChangeAction, MerchantPolicy } from '../../merchants/merchant.repository';
import type { Subscriber } from '../../subscribers/subscriber.repository';
import type { VerificationServiceDeps } from '../verification.deps';
import { auditRefusedStart } from './refused-start';

/**
 * What a transaction start meets after the subscriber's number changed. An operator's change is
 * proven first: a code sent to the new number and typed back (a login) shows that someone holds
 * it, so a mistyped or recycled number signs nothing (whoever swapped the SIM can prove it too:
 * the cool-down and the old handset's notice are what stand against them). Then, for the
 * cool-down, a change nobody asked for leaves the person time to react before money moves: the
 * start is refused, or, where the merchant's policy takes it, admitted on a second factor the
 * merchant checked. Logins go on. A refusal is audited, then answered; an admission answers the
 * factor it rests on.
 */
export async function admittedAfterAddressChange(
  d: Pick<VerificationServiceDeps, 'addressCooldownMs' | 'addressChangeAction' | 'operatorChangeProof' | 'audit' | 'verifications'>,
  merchantId: string,
  receiver: Subscriber,
  req: { purpose: Purpose; secondFactor?: string | undefined },
  policy: Pick<MerchantPolicy, 'addressChangeAction'>,
  now: Date,
): Promise<string | undefined> {
  const changedAt = receiver.addressChangedAt ?? undefined;
  if (req.purpose !== 'transaction' || changedAt === undefined) {
    return undefined;
  }
  const refuse = async (code: string, message: string, details: Record<string, unknown>): Promise<never> => {
    await auditRefusedStart(d.audit, { merchantId, subscriberId: receiver.id, code, at: now });
    throw new AppError('forbidden', code, message, { details });
  };
  if (
    d.operatorChangeProof &&
    receiver.certifiedBy?.startsWith('operator:') &&
    !(await d.verifications.approvedSince(receiver.id, changedAt))
  ) {
    await refuse(
      'ADDRESS_NOT_PROVEN',
      'this number was changed by the operator and has not yet answered a code: a login with it proves it',
      {},
    );
  }
  const waitMs = changedAt.getTime() + (d.addressCooldownMs ?? 0) - now.getTime();
  if (waitMs <= 0) {
    return undefined;
  }
  const action: AddressChangeAction = policy.addressChangeAction ?? d.addressChangeAction ?? 'refuse';
  if (action === 'second_factor' && req.secondFactor) {
    return req.secondFactor;
  }
  return refuse('ADDRESS_RECENTLY_CHANGED', 'this number changed recently: transactions are not signed with it yet', {
    retryAfterSeconds: Math.ceil(waitMs / 1000),
    secondFactorAccepted: action === 'second_factor',
  });
}
