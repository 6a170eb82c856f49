import type { Purpose } from '@outband/contracts';
import type { MerchantPolicy } from '../../merchants/merchant.repository';
import type { BoundData } from '../codes/bound-data';
import type { VerificationServiceDeps } from '../verification.deps';
import type { VerificationRecord } from '../verification.repository';
import type { StartInput } from './start-input';
import { checkedNumber } from './checked-number';
import { issueCode, type Receiver } from './issue-code';
import { newVerification, pendingSecretOf } from './new-verification';
import { refuseOverMerchantLimit, refuseOverSendLimit } from './start-admission';

/** A code for a number no subscriber record names, and what it approves. */
export interface NumberCode {
  merchantId: string;
  /** What the merchant calls whoever holds the number (bound into the code with what it approves). */
  identifier: string;
  address: string;
  purpose: Purpose;
  bound: BoundData;
  locale?: Receiver['locale'] | undefined;
  correlationId?: string | undefined;
  requestId?: string | undefined;
  /** What the audit trail calls this code (`enrolment`, `transaction:claim` …). */
  issuedAs: string;
  /** Ask the operator's network about the number first (SIM swap, port), as for a subscriber's. */
  checkNumber?: boolean;
  /** The merchant's own texts may carry the code (an enrolment's text is fixed: none can forge it). */
  merchantTexts?: boolean;
  /** The merchant's policy, when the caller has read it already. */
  policy?: MerchantPolicy;
  /** What the start asked beyond the defaults (a Twilio service's length and name). */
  extra?: Pick<StartInput, 'codeLength' | 'senderName' | 'serviceSid'>;
}

/**
 * A verification whose code goes to a number no subscriber record holds (one being enrolled, or
 * one a signed claim carries): the number is given, not looked up, so its guards refuse it
 * openly, as a Twilio `To` is; the merchant's and the number's limits count it.
 */
export async function issueCodeToNumber(d: VerificationServiceDeps, e: NumberCode): Promise<VerificationRecord> {
  const now = d.clock();
  const policy = e.policy ?? (await d.policyOf(e.merchantId));
  const to = await d.admitSend(e.merchantId, e.address, policy.allowedCountries);
  const receiver: Receiver = { address: e.address, receiverKind: 'mobile', locale: e.locale ?? 'en' };
  await refuseOverMerchantLimit(d, e.merchantId, policy, now);
  await refuseOverSendLimit(d, e.address, now);
  await d.countSend(e.merchantId, to, now);
  // After the limits, as for a subscriber's start: refused starts cannot call the network unbounded.
  const numberCheck = e.checkNumber ? await checkedNumber(d, e.merchantId, { ...receiver, id: null }, policy, 'sms', now) : undefined;
  const req = {
    merchantId: e.merchantId,
    identifier: e.identifier,
    identifierKind: 'address' as const,
    purpose: e.purpose,
    ...e.bound,
    ...e.extra,
  };
  const admitted = {
    subscriber: null,
    receiver,
    marker: '',
    policy,
    channel: 'sms' as const,
    bound: e.bound,
    now,
    destination: e.address,
    withheld: null,
  };
  const { record, code, macKey } = await newVerification(d, req, admitted, {
    correlationId: e.correlationId,
    requestId: e.requestId,
    numberCheck: numberCheck?.decision,
  });
  await d.pending.put(pendingSecretOf(record, macKey, code, d.maxAttempts), now);
  await issueCode(d, record, receiver, code, {
    bound: e.bound,
    locale: e.locale,
    now,
    resent: false,
    template: e.merchantTexts ? policy.templates?.[e.purpose] : undefined,
    correlationId: e.correlationId,
    isNew: true,
    issuedAs: e.issuedAs,
  });
  return record;
}
