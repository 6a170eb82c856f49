import type { Channel, VerificationView } from '@outband/contracts';
import { toView } from '../verification-view';
import { silentAuthorizeUrl } from '../silent/silent-start';
import type { StartInput } from './start-input';
import { reverseLookupOf } from '../codes/code-derivation';
import type { VerificationServiceDeps } from '../verification.deps';
import type { VerificationRecord } from '../verification.repository';

/**
 * Writes a verification whose start sends nothing to the phone: a reverse-channel code is shown on
 * the first network and texted back, a silent one asks the operator's network about the device (a
 * code goes only as its fallback). Its audit row says which, and whether it was a decoy or withheld.
 */
export async function recordUnsentCode(
  d: Pick<VerificationServiceDeps, 'record' | 'pending' | 'macKeys' | 'reverseCodes'>,
  v: VerificationRecord,
  o: { channel: Exclude<Channel, 'sms'>; code: string; received: boolean; now: Date; secondFactor?: string | undefined },
): Promise<void> {
  const how = o.channel === 'reverse-sms' ? 'reverse' : o.channel;
  await d
    .record({
      verification: v,
      audit: {
        at: o.now,
        kind: 'certificate.issued',
        merchantId: v.merchantId,
        verificationId: v.id,
        subscriberId: v.subscriberId,
        outcome: `${v.purpose}${o.secondFactor ? `:${o.secondFactor}` : ''}:${how}${o.received ? '' : v.subscriberId !== null ? ':withheld' : ':decoy'}`,
      },
    })
    .catch(async (e: unknown) => {
      // Nothing was written: free the secret and the reverse code, which are few.
      await Promise.allSettled([
        d.pending.cancel(v.id),
        ...(o.channel === 'reverse-sms' ? d.macKeys.map((k) => d.reverseCodes.release(reverseLookupOf(k, o.code))) : []),
      ]);
      throw e;
    });
}

/**
 * The start's answer for a code it does not send: the reverse code and the number to text it to,
 * the operator's URL for the device's browser, or the verification alone (an authenticator's).
 */
export async function unsentCodeAnswer(
  d: Pick<VerificationServiceDeps, 'silent' | 'reverseNumberFor'>,
  v: VerificationRecord,
  req: StartInput,
  o: { channel: Exclude<Channel, 'sms'>; code: string; destination: string; now: Date },
): Promise<VerificationView> {
  const view = toView(v, o.now, undefined);
  switch (o.channel) {
    case 'silent':
      return { ...view, silent: { state: 'pending', url: await silentAuthorizeUrl(d, v, req, o.now) } };
    case 'reverse-sms':
      return { ...view, reverse: { code: o.code, sendTo: d.reverseNumberFor(o.destination) } };
    case 'totp':
    case 'ocra-app':
      return view;
  }
}
