import { Writable } from 'node:stream';
import { migrateLatest, openDatabase, type Knex } from '@outband/db';
import { AppError } from '@outband/errors';
import { createLogger } from '@outband/observability';
import { dataMigrationSource, dataMigrationsTable } from '../platform/migrations';
import { MessageOutbox, type OutboxMessage } from './message-outbox';

// A medium test on the embedded database (SQLite in memory, every migration run) with a bus that
// refuses one body and takes the others.
const refusedId = '00000000-0000-4000-8000-000000000001';
const goodId = '00000000-0000-4000-8000-000000000002';
const relayAfterMs = 1000;
const t0 = Date.parse('2025-01-01T00:00:00.000Z');

let db: Knex;
let now: number;
let lines: string[];
let published: string[];
let outcomes: string[];
let outbox: MessageOutbox;
let publish: (m: OutboxMessage) => Promise<void>;
beforeEach(async () => {
  db = openDatabase('sqlite::memory:');
  await migrateLatest(db, dataMigrationSource, dataMigrationsTable);
  now = t0;
  lines = [];
  published = [];
  outcomes = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  publish = (m) => {
    if (m.messageId === refusedId) {
      return Promise.reject(new AppError('internal', 'BUS_MESSAGE_INVALID', 'invalid message.send message, not sent: purpose: bad'));
    }
    published.push(m.messageId);
    return Promise.resolve();
  };
  outbox = new MessageOutbox(db, {
    publish: (m) => publish(m),
    relayAfterMs,
    clock: () => new Date(now),
    logger: createLogger({ service: 'test', destination }),
    onRelay: (outcome) => outcomes.push(outcome),
  });
  // Staged one after the other: the refused one comes first in the relay's order.
  await outbox.stage(db, [message(refusedId)]);
  now += 10;
  await outbox.stage(db, [message(goodId)]);
  now += relayAfterMs;
});
afterEach(async () => {
  await db.destroy();
});

function message(messageId: string): OutboxMessage {
  return { messageId, body: { type: 'message.send', messageId, sealedCode: 'sealed-secret', expiresInSeconds: 300 } };
}

const rows = () =>
  db('message_outbox').orderBy('message_id').select<Array<{ message_id: string; dead_at: unknown }>>('message_id', 'dead_at');
const errorLines = () => lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l.level === 50);

describe('the outbox relay and a message the bus refuses', () => {
  it('sets the refused row aside, logs it once without its body, and still sends the next row', async () => {
    expect(await outbox.relay()).toBe(1);
    expect(published).toEqual([goodId]);
    expect(outcomes).toEqual(['refused', 'published']);
    const [kept, ...others] = await rows();
    expect(others).toEqual([]);
    expect(kept?.message_id).toBe(refusedId);
    expect(kept?.dead_at).not.toBeNull();
    expect(errorLines()).toEqual([
      expect.objectContaining({ messageId: refusedId, err: expect.objectContaining({ code: 'BUS_MESSAGE_INVALID' }) }),
    ]);
    expect(lines.join('')).not.toContain('sealed-secret');

    // Later rounds leave it alone: no new try, no new log line, no new count.
    now += 120_000;
    expect(await outbox.relay()).toBe(0);
    expect(outcomes).toEqual(['refused', 'published']);
    expect(errorLines()).toHaveLength(1);
    expect(await rows()).toHaveLength(1);
  });

  it('drops the row once its code has expired, without counting it again', async () => {
    await outbox.relay();
    now += 300_000;
    expect(await outbox.relay()).toBe(0);
    expect(await rows()).toEqual([]);
    expect(outcomes).toEqual(['refused', 'published']);
    expect(published).toEqual([goodId]);
  });

  it('still ends the round at a retryable failure (the broker away), keeping every row for later', async () => {
    publish = () => Promise.reject(new AppError('unavailable', 'BROKER_UNAVAILABLE', 'publish was not confirmed', { retryable: true }));
    expect(await outbox.relay()).toBe(0);
    expect(outcomes).toEqual([]);
    expect((await rows()).map((r) => r.dead_at)).toEqual([null, null]);
    // The round stopped at the first row: the second was never claimed.
    const attempts = await db('message_outbox').orderBy('message_id').pluck<number[]>('attempts');
    expect(attempts).toEqual([1, 0]);
  });

  it('sets aside only what the bus refuses: another non-retryable error ends the round like the broker away', async () => {
    publish = () => Promise.reject(new AppError('internal', 'INTERNAL', 'publish failed', { retryable: false }));
    expect(await outbox.relay()).toBe(0);
    expect(outcomes).toEqual([]);
    expect(errorLines()).toEqual([]);
    expect((await rows()).map((r) => r.dead_at)).toEqual([null, null]);
    const attempts = await db('message_outbox').orderBy('message_id').pluck<number[]>('attempts');
    expect(attempts).toEqual([1, 0]);

    // Tried again at its next attempt, and sent once the bus takes it.
    publish = (m) => {
      published.push(m.messageId);
      return Promise.resolve();
    };
    now += 60_000;
    expect(await outbox.relay()).toBe(2);
    expect([...published].sort()).toEqual([refusedId, goodId]);
    expect(await rows()).toEqual([]);
  });
});
