import { createHash, randomBytes } from 'node:crypto';
import { AppError } from '@outband/errors';
import type { VerificationServiceDeps } from '../verification.deps';
import type { VerificationRecord } from '../verification.repository';
import type { StartInput } from '../start/start-input';

/** Refuses a silent start this installation or this start cannot do, before anything counts it. */
export function refuseUnlessSilentPossible(d: Pick<VerificationServiceDeps, 'silent'>, req: StartInput): void {
  if (!d.silent) {
    throw new AppError('invalid_input', 'SILENT_UNAVAILABLE', "silent verification is not configured here (the operator's network APIs)");
  }
  if (req.purpose !== 'login') {
    // The person must read what they approve: a transaction or a message needs a code shown with it.
    throw new AppError(
      'invalid_input',
      'SILENT_UNAVAILABLE',
      'silent verification is for logins: a transaction or a message is approved by its code',
    );
  }
  if (!req.returnUrl) {
    throw new AppError('invalid_input', 'INVALID_INPUT', 'channel "silent" needs a returnUrl');
  }
}

/**
 * The operator's authorization URL for a silent verification's device, and the state its browser
 * brings back, kept until the verification expires. A decoy gets one too: the answers look alike.
 */
export async function silentAuthorizeUrl(
  d: Pick<VerificationServiceDeps, 'silent'>,
  v: VerificationRecord,
  req: StartInput,
  now: Date,
): Promise<string> {
  const silent = d.silent!;
  const state = randomBytes(32).toString('base64url');
  const codeVerifier = randomBytes(32).toString('base64url');
  await silent.states.put(
    state,
    {
      verificationId: v.id,
      merchantId: v.merchantId,
      codeVerifier,
      returnUrl: req.returnUrl!,
      fallback: req.fallback ?? 'sms',
      locale: req.locale,
    },
    v.expiresAt,
    now,
  );
  return silent.network.authorizeUrl({ state, codeChallenge: createHash('sha256').update(codeVerifier).digest('base64url') });
}
