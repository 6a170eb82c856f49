import { AppError } from '@outband/errors';
import type { Purpose } from '@outband/contracts';
import type { Subscriber } from '../subscribers/subscriber.repository';
import type { VerificationRecord } from './verification.repository';
import { isFactorChannel } from './factor/factor-channels';

/** Refuses to resend what has no code to resend: a reverse-channel code, a silent verification's, a given number's. */
export function refuseResendOf(v: VerificationRecord): void {
  if (v.channel === 'reverse-sms') {
    throw new AppError('invalid_input', 'CHANNEL_UNSUPPORTED', 'a reverse-channel code is texted back, not resent');
  }
  if (isFactorChannel(v.channel)) {
    throw new AppError('invalid_input', 'CHANNEL_UNSUPPORTED', "an authenticator's code is read from the app or token, not sent");
  }
  if (v.silent === 'pending') {
    // Its code goes only as the fallback, to the browser that comes back, or not at all.
    throw new AppError(
      'invalid_input',
      'CHANNEL_UNSUPPORTED',
      'a silent verification sends a code only when the network does not vouch for the device',
    );
  }
  if (v.subscriberId === null && !v.decoyOf) {
    // An enrolment's or a claim's: the number came with the start, and a new start sends a new code.
    throw new AppError('invalid_input', 'CHANNEL_UNSUPPORTED', 'a code sent to an enrolled or claimed number is not resent: start again');
  }
}

/** A transaction or a message started for the old number is not resent to a new one: it gets a start of its own. */
export function refuseResendAfterChange(v: VerificationRecord, subscriber: Subscriber | null): void {
  if (subscriber?.addressChangedAt && subscriber.addressChangedAt > v.createdAt && v.purpose !== 'login') {
    throw new AppError('forbidden', 'ADDRESS_RECENTLY_CHANGED', "the subscriber's number changed since this code was started: start again");
  }
}

/** Why the pending store would not take a new code. */
export type ResendRefusal = { kind: 'mismatch' } | { kind: 'too_many_sends' } | { kind: 'too_soon'; retryAfterMs: number };

/** The error a refused resend answers. */
export function resendRefused(purpose: Purpose, outcome: ResendRefusal, maxSends: number): AppError {
  switch (outcome.kind) {
    case 'mismatch':
      return new AppError(
        'invalid_input',
        purpose === 'message' ? 'MESSAGE_MISMATCH' : 'TRANSACTION_MISMATCH',
        'a resend must present the same data as the verification it renews',
      );
    case 'too_many_sends':
      return new AppError('conflict', 'TOO_MANY_RESENDS', `at most ${maxSends} codes per verification: start a new one`);
    case 'too_soon': {
      const seconds = Math.max(1, Math.ceil(outcome.retryAfterMs / 1000));
      return new AppError('rate_limited', 'RESEND_TOO_SOON', `wait ${seconds} s before sending another code`, {
        details: { retryAfterSeconds: seconds },
      });
    }
  }
}
