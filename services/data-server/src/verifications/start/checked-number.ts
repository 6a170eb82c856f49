import { AppError } from '@outband/errors';
import type { Channel } from '@outband/contracts';
import type { MerchantPolicy } from '../../merchants/merchant.repository';
import type { NumberCheck } from '../../number-trust/number-check';
import type { Subscriber } from '../../subscribers/subscriber.repository';
import type { VerificationServiceDeps } from '../verification.deps';
import { auditRefusedStart } from './refused-start';

/**
 * Asks the operator's network about a mobile number before its code goes out (SIM swap, port);
 * a refusal the merchant's policy makes is audited, then answered. Pagers have no SIM to swap.
 */
export async function checkedNumber(
  d: Pick<VerificationServiceDeps, 'checkNumber' | 'audit'>,
  merchantId: string,
  receiver: Pick<Subscriber, 'address' | 'receiverKind'> & { id: number | null },
  policy: MerchantPolicy,
  channel: Channel,
  now: Date,
): Promise<NumberCheck | undefined> {
  if (!d.checkNumber || receiver.receiverKind !== 'mobile') {
    return undefined;
  }
  try {
    return await d.checkNumber(receiver.address, policy, channel, now);
  } catch (e) {
    if (e instanceof AppError && e.kind === 'forbidden') {
      await auditRefusedStart(d.audit, { merchantId, subscriberId: receiver.id, code: e.code, at: now });
    }
    throw e;
  }
}
