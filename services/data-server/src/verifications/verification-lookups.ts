import { AppError } from '@outband/errors';
import type { VerificationDelivery } from '../delivery/certificate.repository';
import type { Subscriber } from '../subscribers/subscriber.repository';
import { boundDataFor, type BoundData } from './codes/bound-data';
import { bindingHash } from './codes/code-derivation';
import type { StartInput } from './start/start-input';
import type { VerificationServiceDeps } from './verification.deps';
import type { VerificationRecord } from './verification.repository';

// What a request names, found: a merchant's verification (another merchant's reads as unknown),
// the subscriber an identifier names, and the binding a check presents.

const notFound = () => new AppError('not_found', 'VERIFICATION_NOT_FOUND', 'no such verification');

export async function merchantVerification(
  d: Pick<VerificationServiceDeps, 'verifications'>,
  merchantId: string,
  verificationId: string,
): Promise<VerificationRecord> {
  const v = await d.verifications.findForMerchant(verificationId, merchantId);
  if (!v) {
    throw notFound();
  }
  return v;
}

/** The merchant's verification with its delivery, in one query. */
export async function merchantVerificationWithDelivery(
  d: Pick<VerificationServiceDeps, 'verifications'>,
  merchantId: string,
  verificationId: string,
): Promise<{ v: VerificationRecord; delivery: VerificationDelivery }> {
  const found = await d.verifications.findWithDelivery(verificationId, merchantId);
  if (!found) {
    throw notFound();
  }
  return found;
}

export function subscriberOf(
  d: Pick<VerificationServiceDeps, 'subscribers'>,
  identifier: string,
  kind: StartInput['identifierKind'],
): Promise<Subscriber | undefined> {
  return kind === 'address' ? d.subscribers.findByAddress(identifier) : d.subscribers.findByIdentifier(identifier);
}

/**
 * The binding the check presents: for a login, the one on record; for a transaction or a
 * certified message, the hash of the data the merchant presents now, so any change fails.
 */
export async function presentedBinding(
  d: Pick<VerificationServiceDeps, 'subscribers'>,
  v: VerificationRecord,
  data: BoundData,
): Promise<string> {
  const bound = boundDataFor(v.purpose, data);
  if (v.purpose === 'login') {
    return v.bindingHash;
  }
  const subscriber = v.subscriberId === null ? undefined : await d.subscribers.findById(v.subscriberId);
  return bindingHash({
    merchantId: v.merchantId,
    identifier: subscriber?.identifier ?? '',
    purpose: v.purpose,
    verificationId: v.id,
    ...bound,
  });
}
