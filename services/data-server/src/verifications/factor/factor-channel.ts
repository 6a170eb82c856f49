import { createHmac } from 'node:crypto';
import { AppError } from '@outband/errors';
import type { KeyEntry } from '@outband/config';
import type { MerchantPolicy } from '../../merchants/merchant.repository';
import type { Subscriber } from '../../subscribers/subscriber.repository';
import type { VerificationServiceDeps } from '../verification.deps';
import type { VerificationRecord } from '../verification.repository';
import type { StartInput } from '../start/start-input';
import type { Admission } from '../start/start-admission';
import { refuseOverMerchantLimit } from '../start/start-admission';
import { decoyDestination } from '../start/decoy-destination';
import { unmatchableCode } from '../start/decoy';
import { ocraChallenge, parseOcraSuite } from '@outband/otp';
import type { FactorChannel } from './factor-channels';
import type { FactorRecord } from '../../factors/factor.repository';

/** Refuses a start by an authenticator factor that this installation or this start cannot do, before anything counts it. */
export function refuseUnlessFactorPossible(d: Pick<VerificationServiceDeps, 'factors'>, req: StartInput, channel: FactorChannel): void {
  if (!d.factors) {
    throw new AppError('unavailable', 'FACTORS_DISABLED', 'no content key is configured on this installation (CONTENT_KEYS)');
  }
  if (req.addressClaim !== undefined) {
    throw new AppError(
      'invalid_input',
      'CHANNEL_UNSUPPORTED',
      `channel "${channel}" answers with the enrolled authenticator: a claim names a number`,
    );
  }
  if (channel === 'totp' && req.purpose !== 'login') {
    // An app's code says nothing of what is paid: a transaction or a message needs a code shown with it.
    throw new AppError(
      'invalid_input',
      'CHANNEL_UNSUPPORTED',
      'channel "totp" is for logins: a transaction or a message is approved by a code shown with it',
    );
  }
}

/**
 * A factor start sends nothing, so only the merchant's rate counts it. Whether the identifier has a
 * verified factor is not told: without one the start answers alike and no code ever approves it.
 */
export async function admitFactorStart(
  d: VerificationServiceDeps,
  req: StartInput,
  holder: { subscriber: Subscriber | null; marker: string; inactive: boolean },
  policy: MerchantPolicy,
  now: Date,
  channel: FactorChannel,
): Promise<Admission & { factor: FactorRecord | undefined }> {
  const { subscriber, marker } = holder;
  await refuseOverMerchantLimit(d, req.merchantId, policy, now);
  const found = await d.factors!.verifiedOf(req.merchantId, req.identifier, channel === 'totp' ? 'totp' : 'ocra', {
    serviceSid: req.serviceSid,
    factorId: req.factorId,
  });
  // A suspended subscriber's factor approves nothing, and the answer does not say so.
  const factor = holder.inactive ? undefined : found;
  const destination = subscriber?.address ?? decoyDestination(marker, req.identifier, req.identifierKind, d.decoyCountry);
  return { destination, withheld: null, factor };
}

/**
 * An OCRA verification's challenge and code: the challenge is derived from the binding (merchant,
 * identifier, verification id, amount, payee, message), so it changes with what is approved; the
 * code is the enrolled token's response to it. Without a token the challenge looks alike and no
 * response is right.
 */
export function ocraChallengeAndCode(
  d: Pick<VerificationServiceDeps, 'factors'>,
  factor: FactorRecord | undefined,
  codeKey: KeyEntry,
  binding: string,
): { challenge: string; code: string } {
  const challenge = ocraChallenge(parseOcraSuite(d.factors!.ocraSuiteOf(factor)), codeKey.key, `ocra-app:${binding}`);
  const response = factor ? d.factors!.responseTo(factor, challenge) : undefined;
  return { challenge, code: response ?? unmatchableCode() };
}

/**
 * What stands for a factor verification's code in the pending store: a keyed value nobody types
 * (typed codes are digits). A fresh authenticator code is exchanged for it at the check, so the
 * store counts attempts, burns and ends the verification as it does any code.
 */
export function factorTicket(macKey: KeyEntry, verificationId: string): string {
  return createHmac('sha256', macKey.key).update(`factor:${verificationId}`).digest('hex');
}

/**
 * The code to check in the pending store for what was typed: for a TOTP app, the ticket when it
 * is a fresh code of the factor; for an OCRA token, what was typed, unless its factor was deleted
 * since (then nothing it answers approves).
 */
export async function typedFactorCode(
  d: Pick<VerificationServiceDeps, 'factors'>,
  v: VerificationRecord,
  typed: string,
  macKey: KeyEntry,
): Promise<string> {
  if (!v.factorId || !d.factors) {
    return typed;
  }
  if (v.channel === 'ocra-app') {
    return (await d.factors.isVerified(v.merchantId, v.factorId)) ? typed : unmatchableCode();
  }
  return (await d.factors.useCode(v.merchantId, v.factorId, typed)) ? factorTicket(macKey, v.id) : typed;
}
