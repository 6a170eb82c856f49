import type { Knex } from '@outband/db';
import { CertificateRepository } from '../delivery/certificate.repository';
import { MerchantRepository } from '../merchants/merchant.repository';
import { certificateRecord, insertSubscriber, migratedDatabase, verificationRecord } from '../platform/medium-test-db';
import { VerificationRepository, writeAttempts } from './verification.repository';

// A medium test on the embedded database: what a start reads in one query, the subscriber and
// its verifications still pending at the merchant.
let db: Knex;
let verifications: VerificationRepository;
let alice: number;
let bob: number;
const now = new Date('2025-01-01T12:00:00.000Z');
const minutes = (n: number) => new Date(now.getTime() + n * 60_000);

beforeAll(async () => {
  db = await migratedDatabase();
  const merchants = new MerchantRepository(db);
  await merchants.upsertMerchant('shop', 'Shop');
  await merchants.upsertMerchant('other', 'Other');
  alice = await insertSubscriber(db);
  bob = await insertSubscriber(db, { identifier: 'bob', address: '+4915112345678' });
  verifications = new VerificationRepository(db);
  await verifications.insert([
    verificationRecord({ id: 've_open1', subscriberId: alice, createdAt: minutes(-2) }),
    verificationRecord({ id: 've_open2', subscriberId: alice, createdAt: minutes(-1) }),
    verificationRecord({ id: 've_expired', subscriberId: alice, createdAt: minutes(-6) }),
    verificationRecord({ id: 've_done', subscriberId: alice, createdAt: minutes(-1), status: 'approved' }),
    verificationRecord({ id: 've_elsewhere', subscriberId: alice, merchantId: 'other', createdAt: minutes(-1) }),
    verificationRecord({ id: 've_bob', subscriberId: bob, createdAt: minutes(-1) }),
  ]);
});
afterAll(async () => {
  await db.destroy();
});

it('finds the subscriber by identifier with only its verifications pending at this merchant', async () => {
  const held = await verifications.holderWithPending({ identifier: 'alice' }, 'shop', now);

  expect(held.subscriber).toMatchObject({ id: alice, identifier: 'alice', address: '+33612345678', status: 'active' });
  expect(held.pending.map((v) => v.id).sort()).toEqual(['ve_open1', 've_open2']);
  expect(held.pending[0]).toMatchObject({ merchantId: 'shop', subscriberId: alice, status: 'pending', purpose: 'login' });
});

it('finds the subscriber by address, with nothing pending', async () => {
  const held = await verifications.holderWithPending({ address: '+4915112345678' }, 'other', now);

  expect(held.subscriber?.id).toBe(bob);
  expect(held.pending).toEqual([]);
});

it('finds nobody for an unknown identifier', async () => {
  expect(await verifications.holderWithPending({ identifier: 'mallory' }, 'shop', now)).toEqual({ subscriber: undefined, pending: [] });
});

it('reads a verification with its delivery in one query, as the delivery alone reads it', async () => {
  const certificates = new CertificateRepository(db);
  const certificate = (id: string, createdAt: Date) => certificateRecord(id, 've_open1', createdAt);
  await certificates.insert([
    certificate('00000000-0000-4000-8000-0000000000c1', minutes(-2)),
    certificate('00000000-0000-4000-8000-0000000000c2', minutes(-1)),
  ]);
  await certificates.recordDelivery({
    messageId: '00000000-0000-4000-8000-0000000000c2',
    state: 'submitted',
    at: minutes(-1),
    smscMessageId: 'm2',
    attempt: { number: 1, route: 'smsc-a', submittedAt: minutes(-1).toISOString(), smscMessageIds: ['m2'], state: 'submitted' },
  });

  const found = await verifications.findWithDelivery('ve_open1', 'shop');

  expect(found?.v).toMatchObject({ id: 've_open1', subscriberId: alice, status: 'pending' });
  expect(found?.delivery.latest?.state).toBe('submitted');
  expect(found?.delivery.attempts).toEqual([expect.objectContaining({ number: 1, route: 'smsc-a', smscMessageIds: ['m2'] })]);
  expect(found?.delivery).toEqual(await certificates.deliveryOf('ve_open1'));
  expect((await verifications.findWithDelivery('ve_bob', 'shop'))?.delivery).toEqual({ latest: undefined, attempts: [] });
  expect(await verifications.findWithDelivery('ve_open1', 'other')).toBeUndefined();
});

it('keeps the highest count of attempts when two wrong codes of one verification are written together', async () => {
  await writeAttempts(db, [
    { id: 've_bob', attempts: 1 },
    { id: 've_bob', attempts: 2 },
    { id: 've_open2', attempts: 1 },
  ]);
  expect((await verifications.findById('ve_bob'))?.attempts).toBe(2);
  expect((await verifications.findById('ve_open2'))?.attempts).toBe(1);
});

it('counts as proof of a new number only a code sent after the change and typed back', async () => {
  const carol = await insertSubscriber(db, { identifier: 'carol', address: '+33698765432' });
  const changedAt = minutes(-30);
  await verifications.insert([
    verificationRecord({ id: 've_before', subscriberId: carol, createdAt: minutes(-40), status: 'approved' }),
    verificationRecord({ id: 've_no_code', subscriberId: carol, createdAt: minutes(-20), status: 'approved' }),
    verificationRecord({ id: 've_typed', subscriberId: carol, createdAt: minutes(-10), status: 'approved' }),
  ]);
  const audit = (verificationId: string, kind: string, outcome: string) => ({
    at: now,
    kind,
    merchant_id: 'shop',
    verification_id: verificationId,
    subscriber_id: carol,
    outcome,
    prev_hash: '0'.repeat(64),
    hash: '0'.repeat(64),
  });
  // A code sent to the old number, typed back after the change; a merchant's approval without a code.
  await db('audit_events').insert([
    audit('ve_before', 'check', 'approved'),
    audit('ve_no_code', 'verification.canceled', 'approved:merchant'),
  ]);
  expect(await verifications.approvedSince(carol, changedAt)).toBe(false);

  await db('audit_events').insert(audit('ve_typed', 'check', 'approved'));
  expect(await verifications.approvedSince(carol, changedAt)).toBe(true);
});
