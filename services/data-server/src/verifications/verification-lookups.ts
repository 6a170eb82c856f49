import { AppError } from '@outband/errors';
import type { VerificationDelivery } from '../delivery/certificate.repository';
import type { Subscriber } from '../subscribers/subscriber.repository';
import { boundDataFor, type BoundData } from './codes/bound-data';
import { activeKey } from './codes/active-key';
import { bindingHash } from './codes/code-derivation';
import { decoyOf } from './start/decoy';
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

/**
 * Who an identifier (or a number) names at a merchant: its active subscriber, or null for a
 * decoy (unknown, suspended), the decoy's marker, and the verifications it has open there. One
 * query for a subscriber; a decoy's open ones are looked up by its marker. An internal start
 * that already holds its subscriber (a payment's payer) names it by `holder`, so no other realm's
 * subscriber of the same name can take its code.
 */
export async function identifiedHolder(
  d: Pick<VerificationServiceDeps, 'verifications' | 'macKeys'>,
  merchantId: string,
  identifier: string,
  kind: StartInput['identifierKind'],
  now: Date,
  holder?: number,
): Promise<{ subscriber: Subscriber | null; marker: string; open: VerificationRecord[]; inactive: boolean }> {
  const who = holder !== undefined ? { id: holder } : kind === 'address' ? { address: identifier } : { identifier };
  const held = await d.verifications.holderWithPending(who, merchantId, now);
  const subscriber = held.subscriber?.status === 'active' ? held.subscriber : null;
  const marker = decoyOf(activeKey(d.macKeys).key, identifier);
  const open = subscriber ? held.pending : await d.verifications.pendingFor(merchantId, { decoyOf: marker }, now);
  // A suspended subscriber is answered as a decoy: nothing it enrolled approves anything meanwhile.
  return { subscriber, marker, open, inactive: Boolean(held.subscriber) && !subscriber };
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
