import { AuditLog } from '@outband/data-server';
import { openDatabase } from '@outband/db';
import { api, readCode } from '../support/http';
import { startSuite, subscribers, type Suite } from '../support/suite';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite();
});
afterAll(async () => {
  await suite?.stop();
});

describe('hash-chained audit trail', () => {
  it('records every certificate and check outcome, without codes or addresses, and detects the first tampered row', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(String((await api(suite, 'POST', '/v1/verifications', { body: { identifier: i === 1 ? 'bob' : 'alice' } })).body.id));
    }
    const code = await readCode(suite, subscribers.alice.address, 2);
    await Promise.all([
      api(suite, 'POST', `/v1/verifications/${ids[2]}/check`, { body: { code: code === '000000' ? '000001' : '000000' } }),
      api(suite, 'POST', `/v1/verifications/${ids[1]}/cancel`),
    ]);
    await api(suite, 'POST', `/v1/verifications/${ids[2]}/check`, { body: { code } });

    const db = openDatabase(suite.databaseUrl, { min: 0, max: 1 });
    try {
      const rows = await db('audit_events')
        .orderBy('id')
        .select<Array<{ id: number; kind: string; outcome: string }>>('id', 'kind', 'outcome');
      expect(rows.map((r) => `${r.kind}:${r.outcome}`)).toEqual(
        expect.arrayContaining(['certificate.issued:login', 'check:mismatch:code', 'check:approved', 'verification.canceled:canceled']),
      );
      const dump = JSON.stringify(await db('audit_events').select());
      expect(dump).not.toContain(code);
      expect(dump).not.toContain(subscribers.alice.address.slice(1));
      const log = new AuditLog(db);
      expect(await log.verify()).toEqual({ rows: rows.length, firstBroken: undefined });
      const victim = rows[2]?.id ?? 0;
      await db('audit_events').where({ id: victim }).update({ outcome: 'approved' });
      expect((await log.verify()).firstBroken).toBe(victim);
      await db('audit_events').where({ id: victim }).update({ outcome: rows[2]?.outcome });
    } finally {
      await db.destroy();
    }
  });

  it('keeps one unbroken line per chain while writers in several processes append at once', async () => {
    const db = openDatabase(suite.databaseUrl, { min: 0, max: 8 });
    try {
      const before = (await new AuditLog(db).verify()).rows;
      // Four writers, as four data servers: each batch takes a chain no other holds.
      const writers = Array.from({ length: 4 }, () => new AuditLog(db));
      await Promise.all(
        Array.from({ length: 400 }, (_, i) =>
          writers[i % 4]!.append({
            at: new Date(),
            kind: 'admin',
            merchantId: null,
            verificationId: null,
            subscriberId: null,
            outcome: `writer-${i % 4}`,
          }),
        ),
      );
      const chains = await db('audit_events').where({ kind: 'admin' }).distinct<Array<{ chain: number }>>('chain');
      expect(chains.length).toBeGreaterThan(1);
      const log = new AuditLog(db);
      expect(await log.verify()).toEqual({ rows: before + 400, firstBroken: undefined });
      // A row moved to another chain breaks a link.
      const moved = await db('audit_events')
        .where({ kind: 'admin' })
        .orderBy('id', 'desc')
        .first<{ id: number; chain: number }>('id', 'chain');
      await db('audit_events')
        .where({ id: moved?.id })
        .update({ chain: moved?.chain === 1 ? 2 : 1 });
      expect((await log.verify()).firstBroken).toBe(moved?.id);
    } finally {
      await db.destroy();
    }
  });
});
