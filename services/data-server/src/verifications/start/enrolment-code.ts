import type { VerificationServiceDeps } from '../verification.deps';
import type { VerificationRecord } from '../verification.repository';
import { boundDataFor } from '../codes/bound-data';
import type { Receiver } from './issue-code';
import { issueCodeToNumber } from './code-to-number';

/** What the enrolment code's text asks the person to confirm (no merchant text: it cannot be forged). */
export const enrolmentStatement = 'use this number for your account';

/**
 * A verification whose code goes to a number someone wants certified (no subscriber holds it
 * yet). The code certifies the statement above.
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
  const bound = boundDataFor('message', { message: { text: enrolmentStatement } });
  return issueCodeToNumber(d, {
    merchantId: e.merchantId,
    identifier: e.identifier,
    address: e.address,
    locale: e.locale,
    correlationId: e.correlationId,
    purpose: 'message',
    bound,
    issuedAs: 'enrolment',
    checkNumber: false,
    merchantTexts: false,
  });
}
