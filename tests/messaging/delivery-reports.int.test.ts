import { randomUUID } from 'node:crypto';
import { Bus } from '@outband/bus';
import { busNames, type MessageStatusV1 } from '@outband/contracts';
import { openDatabase, type Knex } from '@outband/db';
import { api, eventually } from '../support/http';
import { connectTestBus, queuedCertificate } from '../support/message-send';
import { startSuite, subscribers, type Suite } from '../support/suite';

/**
 * The data server records the message server's delivery reports in batches (reports that arrive
 * together share their statements). Out of order and all at once, every certificate still ends
 * in its last state, with each attempt as its latest report says.
 */
let suite: Suite;
let db: Knex;
let bus: Bus;
beforeAll(async () => {
  suite = await startSuite();
  db = openDatabase(suite.databaseUrl, { min: 0, max: 2 });
  bus = await connectTestBus(suite);
});
afterAll(async () => {
  await bus?.close();
  await db?.destroy();
  await suite?.stop();
});

it('applies a burst of reports, receipts overtaking their submits, as if one by one', async () => {
  const started = await api(suite, 'POST', '/v1/verifications', { body: { identifier: subscribers.alice.identifier } });
  const verificationId = String(started.body.id);
  // Certificates of our own on that verification: the real message's reports leave them alone.
  const ids: string[] = Array.from({ length: 40 }, () => randomUUID());
  const t0 = Date.now();
  await db('certificates').insert(ids.map((id) => queuedCertificate(id, verificationId, new Date(t0))));
  const names = busNames(suite.busPrefix);
  const report = (messageId: string, i: number, state: 'submitted' | 'delivered' | 'failed', atMs: number): MessageStatusV1 => ({
    type: 'message.status',
    version: 1,
    messageId,
    verificationId,
    state,
    ...(state === 'submitted' ? { smscMessageId: `S${i}` } : {}),
    ...(state === 'failed' ? { error: 'UNDELIV' } : {}),
    at: new Date(atMs).toISOString(),
    attempt: {
      number: 1,
      route: 'default',
      submittedAt: new Date(t0 + 1).toISOString(),
      smscMessageIds: [`S${i}`],
      state,
      ...(state === 'failed' ? { error: 'UNDELIV' } : {}),
    },
  });
  // Even ones end delivered, odd ones failed; every other certificate gets its receipt first.
  const burst = ids.flatMap((id, i) => {
    const submitted = report(id, i, 'submitted', t0 + 10);
    const final = report(id, i, i % 2 === 0 ? 'delivered' : 'failed', t0 + 20);
    return i % 4 < 2 ? [final, submitted] : [submitted, final];
  });
  await Promise.all(burst.map((m) => bus.publish(names.eventsExchange, names.routingKeys.messageStatus, m, { messageId: randomUUID() })));

  const settled = await eventually(async () => {
    const rows = await db('certificates').whereIn('id', ids).select<Array<{ id: string; delivery_state: string }>>('id', 'delivery_state');
    return rows.every((r) => r.delivery_state !== 'queued' && r.delivery_state !== 'submitted') ? rows : undefined;
  });
  const states = new Map(settled.map((r) => [r.id, r.delivery_state]));
  expect(ids.map((id) => states.get(id))).toEqual(ids.map((_, i) => (i % 2 === 0 ? 'delivered' : 'failed')));

  const certificates = await db('certificates')
    .whereIn('id', ids)
    .select<Array<{ id: string; delivery_error: string | null; delivery_updated_at: Date }>>('id', 'delivery_error', 'delivery_updated_at');
  for (const c of certificates) {
    const i = ids.indexOf(c.id);
    expect({ i, error: c.delivery_error, at: c.delivery_updated_at.getTime() }).toEqual({
      i,
      error: i % 2 === 0 ? null : 'UNDELIV',
      at: t0 + 20,
    });
  }
  const attempts = await db('delivery_attempts')
    .whereIn('certificate_id', ids)
    .select<Array<{ certificate_id: string; attempt: number; state: string; smsc_message_ids: string; submitted_at: Date | null }>>(
      'certificate_id',
      'attempt',
      'state',
      'smsc_message_ids',
      'submitted_at',
    );
  expect(attempts).toHaveLength(ids.length);
  for (const a of attempts) {
    const i = ids.indexOf(a.certificate_id);
    expect({ i, attempt: a.attempt, state: a.state, ids: a.smsc_message_ids, submittedAt: a.submitted_at?.getTime() }).toEqual({
      i,
      attempt: 1,
      state: i % 2 === 0 ? 'delivered' : 'failed',
      ids: `S${i}`,
      submittedAt: t0 + 1,
    });
  }
});
