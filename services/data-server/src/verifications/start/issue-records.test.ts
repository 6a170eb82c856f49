import type { Knex } from '@outband/db';
import { createLogger } from '@outband/observability';
import { audited, AuditLog, RefusedEntry } from '../../audit/audit-log';
import { CertificateRepository } from '../../delivery/certificate.repository';
import { MessageOutbox } from '../../delivery/message-outbox';
import { MerchantRepository } from '../../merchants/merchant.repository';
import { certificateRecord, insertSubscriber, migratedDatabase, verificationRecord } from '../../platform/medium-test-db';
import { VerificationRepository } from '../verification.repository';
import { IssueRecords, type IssueRecord } from './issue-records';

// A medium test on the embedded database: starts issued together share one transaction, and a
// start's verification, audit row, certificate and outbox row are written all or none.
let db: Knex;
let published: string[];
let issues: IssueRecords;
let alice: number;
const now = new Date('2025-01-01T00:00:00.000Z');

beforeEach(async () => {
  db = await migratedDatabase();
  await new MerchantRepository(db).upsertMerchant('shop', 'Shop');
  alice = await insertSubscriber(db);
  published = [];
  const outbox = new MessageOutbox(db, {
    publish: (m) => Promise.resolve(void published.push(m.messageId)),
    relayAfterMs: 60_000,
    clock: () => now,
    logger: createLogger({ service: 'test', level: 'silent' }),
  });
  issues = new IssueRecords(new AuditLog(db), new VerificationRepository(db), new CertificateRepository(db), outbox);
});
afterEach(async () => {
  await db.destroy();
});

function started(n: number, certificateId = `00000000-0000-4000-8000-00000000000${n}`): IssueRecord {
  const verification = verificationRecord({ id: `ve_${n}`, subscriberId: alice, createdAt: now });
  const certificate = certificateRecord(certificateId, verification.id, now);
  return {
    verification,
    audit: {
      at: now,
      kind: 'certificate.issued',
      merchantId: 'shop',
      verificationId: verification.id,
      subscriberId: alice,
      outcome: 'login',
    },
    sent: { certificate, merchantId: 'shop', message: { messageId: certificateId, body: { expiresInSeconds: 300 } } },
  };
}

async function count(table: string): Promise<number> {
  const row = await db(table).count<Array<{ n: number | string }>>({ n: '*' });
  return Number(row[0]?.n);
}

it('writes each start whole and publishes its message once committed', async () => {
  await Promise.all([1, 2, 3].map((n) => issues.record(started(n))));

  expect(await count('verifications')).toBe(3);
  expect(await count('certificates')).toBe(3);
  expect(await count('audit_events')).toBe(3);
  // Staged, then published: the rows wait for the cleanup that follows a publish.
  expect(await count('message_outbox')).toBe(3);
  expect(published.sort()).toEqual([1, 2, 3].map((n) => `00000000-0000-4000-8000-00000000000${n}`));
  expect(await new AuditLog(db).verify()).toEqual({ rows: 3, firstBroken: undefined });
});

it('leaves nothing of a start whose write failed: no verification without its certificate and audit row', async () => {
  await issues.record(started(1));
  // The same certificate id again: its insert fails, and the whole transaction with it.
  await expect(issues.record(started(2, '00000000-0000-4000-8000-000000000001'))).rejects.toThrow();

  expect(await db('verifications').pluck('id')).toEqual(['ve_1']);
  expect(await count('certificates')).toBe(1);
  expect(await count('audit_events')).toBe(1);
  expect(published).toEqual(['00000000-0000-4000-8000-000000000001']);
});

it("keeps a start whose shared transaction another start's bad row failed: each is written again alone", async () => {
  await issues.record(started(1));
  const [good, bad] = await Promise.allSettled([
    issues.record(started(2)),
    issues.record(started(3, '00000000-0000-4000-8000-000000000001')),
  ]);

  expect([good.status, bad.status]).toEqual(['fulfilled', 'rejected']);
  expect((await db('verifications').pluck('id')).sort()).toEqual(['ve_1', 've_2']);
  expect(await new AuditLog(db).verify()).toEqual({ rows: 2, firstBroken: undefined });
});

it("keeps the starts that shared a transaction with an entry its own write refused, and answers that entry's refusal", async () => {
  // One trail for both, so they share a transaction.
  const log = new AuditLog(db);
  const outbox = new MessageOutbox(db, {
    publish: () => Promise.resolve(),
    relayAfterMs: 60_000,
    clock: () => now,
    logger: createLogger({ service: 'test', level: 'silent' }),
  });
  const shared = new IssueRecords(log, new VerificationRepository(db), new CertificateRepository(db), outbox);
  const refusal = new Error('not this one');
  const refused = log.append(
    { at: now, kind: 'subscriber.certified', merchantId: 'shop', verificationId: null, subscriberId: null, outcome: 'enrolled' },
    audited(() => Promise.reject(new RefusedEntry(refusal)), {}),
  );
  const [start, other] = await Promise.allSettled([shared.record(started(1)), refused]);

  expect(start.status).toBe('fulfilled');
  expect(other).toMatchObject({ status: 'rejected', reason: { refusal } });
  expect(await db('verifications').pluck('id')).toEqual(['ve_1']);
  expect(await db('audit_events').pluck('outcome')).toEqual(['login']);
});

it('writes a decoy start with its audit row and nothing to send', async () => {
  const decoy = verificationRecord({ id: 've_decoy', decoyOf: 'marker', createdAt: now });
  await issues.record({
    verification: decoy,
    audit: {
      at: now,
      kind: 'certificate.issued',
      merchantId: 'shop',
      verificationId: decoy.id,
      subscriberId: null,
      outcome: 'login:decoy',
    },
  });

  expect(await db('verifications').pluck('id')).toEqual(['ve_decoy']);
  expect(await db('audit_events').pluck('outcome')).toEqual(['login:decoy']);
  expect(await count('certificates')).toBe(0);
  expect(published).toEqual([]);
});
