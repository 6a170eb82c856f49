import { randomUUID } from 'node:crypto';
import type { CertificateRecord } from '../../delivery/certificate.repository';
import type { Subscriber } from '../../subscribers/subscriber.repository';
import type { VerificationRecord } from '../verification.repository';
import type { BoundData } from '../codes/bound-data';
import type { VerificationServiceDeps } from '../verification.deps';
import type { IssueRecord } from './issue-records';

export interface IssueOptions {
  bound: BoundData;
  locale: 'en' | 'fr' | undefined;
  now: Date;
  resent: boolean;
  /** The merchant's own text for this purpose, if it has one. */
  template: string | undefined;
  correlationId: string | undefined;
  /** Why a subscriber's code is not sent (a send guard refused its number), answered as a decoy. */
  withheld?: string | null;
  /** A start's first code: the verification is written with it, not before. */
  isNew?: boolean;
  /** What the audit trail calls this code when not its purpose (`enrolment`). */
  issuedAs?: string;
}

/** Who a code goes to: a subscriber, or a number being enrolled (no subscriber yet). */
export type Receiver = Pick<Subscriber, 'address' | 'receiverKind' | 'locale'>;

/**
 * Records the certificate of one code and hands its message to the message server. A decoy
 * (no subscriber), or a code withheld from one, only leaves its audit row: nothing is sent.
 */
export async function issueCode(
  d: Pick<VerificationServiceDeps, 'record' | 'sealCode' | 'pending' | 'verifications' | 'clock'>,
  v: VerificationRecord,
  subscriber: Receiver | null,
  code: string,
  o: IssueOptions,
): Promise<void> {
  const issued = `${o.issuedAs ?? v.purpose}${o.resent ? ':resent' : ''}`;
  const audit = { at: o.now, kind: 'certificate.issued' as const, merchantId: v.merchantId, verificationId: v.id };
  const verification = o.isNew ? v : undefined;
  // The refusal's reason is in `outband_send_refusals_total{reason}` (the outcome column is short).
  const record: IssueRecord = subscriber
    ? {
        verification,
        audit: { ...audit, subscriberId: v.subscriberId, outcome: issued },
        sent: codeSent(d, v, subscriber, code, o),
      }
    : { verification, audit: { ...audit, subscriberId: v.subscriberId, outcome: `${issued}:${o.withheld ? 'withheld' : 'decoy'}` } };
  try {
    await d.record(record);
  } catch (e) {
    // Nothing was committed: the code can never reach the user. The first error is the answer.
    await Promise.allSettled([d.pending.cancel(v.id), ...(verification ? [] : [d.verifications.finish(v.id, 'failed', d.clock())])]);
    throw e;
  }
}

/** The certificate of a code sent to a subscriber, and its sealed message. */
function codeSent(
  d: Pick<VerificationServiceDeps, 'sealCode'>,
  v: VerificationRecord,
  subscriber: Receiver,
  code: string,
  o: IssueOptions,
): NonNullable<IssueRecord['sent']> {
  const messageId = randomUUID();
  const certificate: CertificateRecord = {
    id: messageId,
    verificationId: v.id,
    address: subscriber.address,
    purpose: v.purpose,
    deliveryState: 'queued',
    deliveryError: null,
    smscMessageId: null,
    outcome: 'pending',
    createdAt: o.now,
    deliveryUpdatedAt: o.now,
    contentDigest: v.content?.digest ?? null,
    numberCheck: v.numberCheck ?? null,
  };
  const message = d.sealCode(
    {
      messageId,
      verificationId: v.id,
      merchantId: v.merchantId,
      address: subscriber.address,
      receiverKind: subscriber.receiverKind,
      purpose: v.purpose,
      locale: o.locale ?? subscriber.locale,
      ...(v.senderName ? { senderName: v.senderName } : {}),
      ...(o.template ? { template: o.template } : {}),
      // What is left of the verification's lifetime: a resent code dies with the first.
      expiresInSeconds: Math.max(1, Math.ceil((v.expiresAt.getTime() - o.now.getTime()) / 1000)),
    },
    code,
    o.bound,
    o.correlationId,
  );
  return { certificate, merchantId: v.merchantId, message };
}
