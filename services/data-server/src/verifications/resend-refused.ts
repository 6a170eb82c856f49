import { AppError } from '@outband/errors';
import type { Purpose } from '@outband/contracts';

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
