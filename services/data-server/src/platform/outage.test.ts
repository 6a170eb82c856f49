import { asOutage } from './outage';

describe('asOutage', () => {
  it('names a lost database or Redis as a retryable 503, and leaves other errors alone', () => {
    expect(
      asOutage(Object.assign(new Error('Connection lost: The server closed the connection.'), { code: 'PROTOCOL_CONNECTION_LOST' })),
    ).toMatchObject({
      kind: 'unavailable',
      code: 'DATABASE_UNAVAILABLE',
      retryable: true,
    });
    expect(asOutage(new Error('Knex: Timeout acquiring a connection. The pool is probably full.'))?.code).toBe('DATABASE_UNAVAILABLE');
    expect(asOutage(new Error('Connection is closed.'))?.code).toBe('REDIS_UNAVAILABLE');
    expect(asOutage(Object.assign(new Error('Deadlock found when trying to get lock'), { code: 'ER_LOCK_DEADLOCK' }))).toMatchObject({
      kind: 'unavailable',
      code: 'DATABASE_BUSY',
      retryable: true,
    });
    expect(asOutage(Object.assign(new Error('Query execution was interrupted'), { code: 'ER_STATEMENT_TIMEOUT' }))?.code).toBe(
      'DATABASE_BUSY',
    );
    expect(asOutage(Object.assign(new Error("Duplicate entry 'x'"), { code: 'ER_DUP_ENTRY' }))).toBeUndefined();
    expect(asOutage('text')).toBeUndefined();
  });
});
