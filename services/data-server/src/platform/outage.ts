import { AppError } from '@outband/errors';

// What mysql2, knex's pool and ioredis throw when their server is away (not a bad query).
const databaseCodes = new Set(['PROTOCOL_CONNECTION_LOST', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ER_SERVER_SHUTDOWN']);
// What MySQL answers when it is there but too busy for this statement: the same request succeeds later.
const busyCodes = new Set(['ER_LOCK_DEADLOCK', 'ER_LOCK_WAIT_TIMEOUT', 'ER_STATEMENT_TIMEOUT', 'ER_QUERY_TIMEOUT']);

/**
 * A store that is down is the caller's 503 with `Retry-After`, not a 500: the request was
 * fine, and the same request succeeds once MySQL or Redis is back.
 */
export function asOutage(err: unknown): AppError | undefined {
  if (typeof err !== 'object' || err === null) {
    return undefined;
  }
  const { code, name, message } = err as { code?: unknown; name?: unknown; message?: unknown };
  const text = typeof message === 'string' ? message : '';
  if ((typeof code === 'string' && databaseCodes.has(code)) || /Knex: Timeout acquiring a connection|closed state/.test(text)) {
    return new AppError('unavailable', 'DATABASE_UNAVAILABLE', 'the database is unavailable: retry shortly', { retryable: true });
  }
  if (typeof code === 'string' && busyCodes.has(code)) {
    return new AppError('unavailable', 'DATABASE_BUSY', 'the database is too busy for this request: retry shortly', { retryable: true });
  }
  if (name === 'MaxRetriesPerRequestError' || /Connection is closed|Stream isn't writeable/.test(text)) {
    return new AppError('unavailable', 'REDIS_UNAVAILABLE', 'Redis is unavailable: retry shortly', { retryable: true });
  }
  return undefined;
}
