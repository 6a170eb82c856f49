import { boundDataFor } from '../codes/bound-data';
import type { VerificationServiceDeps } from '../verification.deps';
import type { VerificationRecord } from '../verification.repository';
import { issueCode, type Receiver } from './issue-code';
import { newVerification, pendingSecretOf } from './new-verification';
import { refuseOverMerchantLimit, refuseOverSendLimit } from './start-admission';

/** What the enrolment code's text asks the person to confirm (no merchant text: it cannot be forged). */
export const enrolmentStatement = 'use this number for your account';

/**
 * A verification whose code goes to a number someone wants certified (no subscriber holds it
 * yet): the merchant typed the number, so its guards refuse it openly, as a Twilio `To` is; the
 * merchant's and the number's limits count it. The code certifies the statement above.
 */
export async function issueEnrolmentCode(
  d: VerificationServiceDeps,
  e: {
    merchantId: string;
    identifier: string;
    address: string;
    locale?: Receiver['locale'] | undefined;
    correlationId?: string | undefined;
  },
): Promise<VerificationRecord> {
  const now = d.clock();
  const policy = await d.policyOf(e.merchantId);
  const to = await d.admitSend(e.merchantId, e.address, policy.allowedCountries);
  await refuseOverMerchantLimit(d, e.merchantId, policy, now);
  await refuseOverSendLimit(d, e.address, now);
  await d.countSend(e.merchantId, to, now);
  const receiver: Receiver = { address: e.address, receiverKind: 'mobile', locale: e.locale ?? 'en' };
  const message = { text: enrolmentStatement };
  const bound = boundDataFor('message', { message });
  const req = {
    merchantId: e.merchantId,
    identifier: e.identifier,
    identifierKind: 'address' as const,
    purpose: 'message' as const,
    message,
  };
  const admitted = {
    subscriber: null,
    receiver,
    marker: '',
    policy,
    channel: 'sms' as const,
    bound,
    now,
    destination: e.address,
    withheld: null,
  };
  const { record, code, macKey } = await newVerification(d, req, admitted, e.correlationId ? { correlationId: e.correlationId } : {});
  await d.pending.put(pendingSecretOf(record, macKey, code, d.maxAttempts), now);
  await issueCode(d, record, receiver, code, {
    bound,
    locale: e.locale,
    now,
    resent: false,
    template: undefined,
    correlationId: e.correlationId,
    isNew: true,
    issuedAs: 'enrolment',
  });
  return record;
}
