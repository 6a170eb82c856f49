import { AppError } from '@outband/errors';
import type { FinalState } from '../adapters/pending-secret.store';

/** The webhook event of each final state. */
export const eventOf: Record<FinalState, 'approved' | 'failed' | 'expired' | 'canceled'> = {
  approved: 'approved',
  max_attempts_reached: 'failed',
  expired: 'expired',
  canceled: 'canceled',
  session_closed: 'canceled',
};

export function closedError(state: FinalState | 'failed' | 'pending'): AppError {
  switch (state) {
    case 'approved':
      return new AppError('conflict', 'ALREADY_USED', 'this code was already used: a code is accepted once');
    case 'max_attempts_reached':
      return new AppError('conflict', 'TOO_MANY_ATTEMPTS', 'too many wrong codes: start a new verification');
    case 'canceled':
      return new AppError('conflict', 'CANCELED', 'the verification was canceled');
    case 'session_closed':
      return new AppError('conflict', 'SESSION_CLOSED', 'the session this code belonged to has ended');
    case 'failed':
      return new AppError('conflict', 'VERIFICATION_FAILED', 'the code could not be sent: start a new verification');
    case 'expired':
    case 'pending':
      return new AppError('conflict', 'VERIFICATION_EXPIRED', 'too much time elapsed: the code has expired');
  }
}
