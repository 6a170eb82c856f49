import { AppError } from '@outband/errors';
import type { Channel } from '@outband/contracts';
import type { StartInput } from './start-input';
import type { MerchantPolicy } from '../../merchants/merchant.repository';
import type { Subscriber } from '../../subscribers/subscriber.repository';
import { decoyDestination } from './decoy-destination';
import { guarded } from './guarded-send';
import type { Destination } from '../../abuse/number-policy';
import type { VerificationServiceDeps } from '../verification.deps';

/** Where a start's code would go, and why it is withheld (answered as a decoy, nothing sent), if it is. */
export interface Admission {
  destination: string;
  withheld: string | null;
}

/**
 * The limits a start passes before anything is written, in the order that keeps them fair: the
 * destination's guards (which count nothing), the merchant's rate, the address's sends, and only
 * then the country and range windows, so that a start refused for any reason counts nowhere.
 */
export async function admitStart(
  d: VerificationServiceDeps,
  req: StartInput,
  channel: Channel,
  subscriber: Subscriber | null,
  marker: string,
  policy: MerchantPolicy,
  now: Date,
): Promise<Admission> {
  // A number the merchant typed is guarded whoever holds it; an invented one is not (decoy-destination.ts).
  const typed = req.identifierKind === 'address';
  const destination = subscriber?.address ?? decoyDestination(marker, req.identifier, req.identifierKind, d.decoyCountry);
  let to: Destination | undefined;
  let withheld =
    subscriber || typed
      ? await guarded(typed, async () => {
          to = await d.admitSend(req.merchantId, destination, policy.allowedCountries);
        })
      : null;
  if (!withheld && channel !== 'sms' && subscriber && subscriber.receiverKind !== 'mobile') {
    // Only a pager subscriber could be refused these channels, so the refusal would name one.
    withheld = 'CHANNEL_UNSUPPORTED';
  }
  await refuseOverMerchantLimit(d, req.merchantId, policy, now);
  // A silent start sends nothing: its fallback, if any, counts (silent-completion.ts).
  if (channel !== 'silent') {
    await refuseOverSendLimit(d, subscriber?.address ?? `decoy:${marker}`, now);
  }
  const admitted = to;
  if (!withheld && channel === 'sms' && admitted) {
    withheld = await guarded(typed, () => d.countSend(req.merchantId, admitted, now));
  }
  return { destination, withheld };
}

/** Counts a start of the merchant's; refuses one over its second or day window. */
export async function refuseOverMerchantLimit(
  d: Pick<VerificationServiceDeps, 'merchantLimit'>,
  merchantId: string,
  policy: MerchantPolicy,
  now: Date,
): Promise<void> {
  const limit = await d.merchantLimit(merchantId, policy, now);
  if (!limit.allowed) {
    throw new AppError('rate_limited', 'MERCHANT_RATE_LIMITED', 'this merchant starts too many verifications: slow down', {
      details: { retryAfterSeconds: limit.retryAfterSeconds },
    });
  }
}

/** Counts a send to `address` (a decoy's marker for a decoy); refuses one over the window. */
export async function refuseOverSendLimit(d: Pick<VerificationServiceDeps, 'sendLimit'>, address: string, now: Date): Promise<void> {
  const limit = await d.sendLimit(address, now);
  if (!limit.allowed) {
    throw new AppError('rate_limited', 'TOO_MANY_SENDS', 'too many codes were sent to this subscriber recently: try again later', {
      details: { retryAfterSeconds: limit.retryAfterSeconds },
    });
  }
}
