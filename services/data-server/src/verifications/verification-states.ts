import { AppError } from '@outband/errors';
import type { FinalState } from './pending/pending-secret.store';

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

/**
 * A code issued before the embedded default's in-memory TTL store started: Outband restarted
 * since, and the code went with the previous process. Only the embedded default answers this.
 */
export function storeResetError(storeStartedAt: Date): AppError {
  return new AppError(
    'conflict',
    'LAPTOP_STORE_RESET',
    'the laptop store was reset: Outband restarted after this code was sent, and the embedded default keeps pending codes in memory only; start a new verification (set REDIS_URL to keep codes across restarts)',
    { details: { storeStartedAt: storeStartedAt.toISOString() } },
  );
}
