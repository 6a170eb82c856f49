import { randomBytes } from 'node:crypto';
import type { Channel } from '@outband/contracts';
import type { KeyEntry } from '@outband/config';
import type { MerchantPolicy } from '../../merchants/merchant.repository';
import type { Subscriber } from '../../subscribers/subscriber.repository';
import { activeKey } from '../codes/active-key';
import type { BoundData } from '../codes/bound-data';
import { bindingHash, contentDigest, deriveCode, macOfCode, withDigits } from '../codes/code-derivation';
import { codeLengthFloor } from '../codes/code-length';
import { maskAddress } from '../mask-address';
import { reserveReverseCode } from '../reverse/reverse-channel';
import type { VerificationServiceDeps } from '../verification.deps';
import type { VerificationRecord } from '../verification.repository';
import type { StartInput } from './start-input';
import type { Admission } from './start-admission';
import { decoyDestination } from './decoy-destination';
import { unmatchableCode } from './decoy';
import type { Receiver } from './issue-code';
import { factorTicket, ocraChallengeAndCode } from '../factor/factor-channel';
import type { FactorRecord } from '../../factors/factor.repository';

/** What the pending store keeps of a new verification's code: its keyed MAC, never the code. */
export function pendingSecretOf(record: VerificationRecord, macKey: KeyEntry, code: string, maxAttempts: number) {
  return {
    verificationId: record.id,
    mac: macOfCode(macKey, record.id, code),
    bindingHash: record.bindingHash,
    maxAttempts,
    expiresAt: record.expiresAt,
  };
}

/** What an admitted start knows: who receives, what the merchant's policy says, what is bound. */
export interface AdmittedStart extends Admission {
  subscriber: Subscriber | null;
  /** Who the code goes to (a subscriber, or a number being enrolled): null for a decoy or a withheld send. */
  receiver: Receiver | null;
  /** The identifier's decoy marker, kept on a record nobody receives. */
  marker: string;
  policy: MerchantPolicy;
  channel: Channel;
  bound: BoundData;
  now: Date;
  /** Channels `totp` and `ocra-app`: the identifier's verified factor, if it has one. */
  factor?: FactorRecord | undefined;
}

/**
 * A new verification's record and its code: the id, the active keys, the binding of the
 * transaction or message, the code's length and lifetime, and the mask the merchant is shown.
 */
export async function newVerification(
  d: VerificationServiceDeps,
  req: StartInput,
  a: AdmittedStart,
  request: { correlationId?: string; requestId?: string; numberCheck?: string | undefined },
): Promise<{ record: VerificationRecord; code: string; macKey: KeyEntry }> {
  const { subscriber, receiver, marker, policy, channel, bound, now } = a;
  const id = `ve_${randomBytes(16).toString('hex')}`;
  const codeKey = activeKey(d.codeKeys);
  const macKey = activeKey(d.macKeys);
  const binding = bindingHash({
    merchantId: req.merchantId,
    identifier: subscriber?.identifier ?? '',
    purpose: req.purpose,
    verificationId: id,
    ...bound,
  });
  // A service's length counts only above the merchant's floor: the policy may have been raised since.
  const codeLength =
    req.codeLength === undefined ? policy.codeLength : Math.max(req.codeLength, codeLengthFloor(policy.codeLength, d.suite.digits));
  const expiresAt = new Date(now.getTime() + (policy.codeTtlSeconds ?? d.ttlSeconds) * 1000);
  const ocra = channel === 'ocra-app' ? ocraChallengeAndCode(d, a.factor, codeKey, binding) : undefined;
  const code =
    channel === 'reverse-sms'
      ? await reserveReverseCode(d, codeKey, macKey, binding, id, now, expiresAt)
      : ocra
        ? ocra.code
        : channel === 'totp'
          ? a.factor
            ? factorTicket(macKey, id)
            : unmatchableCode()
          : receiver && channel !== 'silent'
            ? deriveCode(withDigits(d.suite, codeLength), codeKey, binding, id, randomBytes(32), now)
            : unmatchableCode();
  // An invalid or premium-rate number shows in the mask's format, and always will be refused:
  // it shows its decoy's mask instead (a decoy's number is neither).
  const shown =
    a.withheld === 'ADDRESS_INVALID' || a.withheld === 'ADDRESS_PREMIUM_RATE'
      ? decoyDestination(marker, req.identifier, req.identifierKind, d.decoyCountry)
      : a.destination;
  const { transaction, message } = bound;
  const record: VerificationRecord = {
    id,
    merchantId: req.merchantId,
    subscriberId: subscriber?.id ?? null,
    decoyOf: receiver ? null : marker,
    purpose: req.purpose,
    status: 'pending',
    addressMasked: maskAddress(shown),
    attempts: 0,
    maxAttempts: d.maxAttempts,
    codeKeyId: codeKey.id,
    macKeyId: macKey.id,
    bindingHash: binding,
    correlationId: request.correlationId ?? null,
    createdAt: now,
    expiresAt,
    finishedAt: null,
    transaction: transaction ? { amount: transaction.amount, currency: transaction.currency, payee: transaction.payee } : null,
    content: message ? { digest: contentDigest(message.text), reference: message.reference ?? null } : null,
    sessionId: req.sessionId ?? null,
    channel,
    serviceSid: req.serviceSid ?? null,
    codeLength,
    senderName: req.senderName ?? policy.senderName,
    requestId: request.requestId ?? null,
    numberCheck: request.numberCheck ?? null,
    // A silent verification has no code until its fallback: nobody can type one meanwhile.
    silent: channel === 'silent' ? 'pending' : null,
    factorId: a.factor?.id ?? null,
    challenge: ocra?.challenge ?? null,
  };
  return { record, code, macKey };
}
