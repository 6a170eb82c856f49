import { migrateLatest, openDatabase, type Knex } from '@outband/db';
import { SubscriberRepository, type Subscriber } from '../subscribers/subscriber.repository';
import type { VerificationRecord } from '../verifications/verification.repository';
import { dataMigrationSource, dataMigrationsTable } from './migrations';

// What the medium tests beside the code share: the embedded database and the rows they start
// from. Plain functions with no test-runner imports, so it compiles like the rest of src.

/** A fresh embedded database (SQLite in memory) with every data-server migration run. */
export async function migratedDatabase(): Promise<Knex> {
  const db = openDatabase('sqlite::memory:');
  await migrateLatest(db, dataMigrationSource, dataMigrationsTable);
  return db;
}

/** Stores a subscriber, Alice's active mobile unless `overrides` say otherwise, and answers its id. */
export async function insertSubscriber(db: Knex, overrides: Partial<Omit<Subscriber, 'id'>> = {}): Promise<number> {
  const subscribers = new SubscriberRepository(db);
  const subscriber: Omit<Subscriber, 'id'> = {
    identifier: 'alice',
    address: '+33612345678',
    receiverKind: 'mobile',
    status: 'active',
    locale: 'en',
    ...overrides,
  };
  await subscribers.upsert(subscriber);
  return (await subscribers.findByIdentifier(subscriber.identifier))?.id ?? -1;
}

/** A pending login verification of merchant `shop`, held by nobody until `overrides` say who; it lives five minutes. */
export function verificationRecord(overrides: Partial<VerificationRecord> = {}): VerificationRecord {
  const createdAt = overrides.createdAt ?? new Date();
  return {
    id: 've_1',
    merchantId: 'shop',
    subscriberId: null,
    decoyOf: null,
    purpose: 'login',
    status: 'pending',
    addressMasked: '+33 6** ** ** 78',
    attempts: 0,
    maxAttempts: 5,
    codeKeyId: 'k1',
    macKeyId: 'k1',
    bindingHash: 'b',
    correlationId: null,
    createdAt,
    expiresAt: new Date(createdAt.getTime() + 300_000),
    finishedAt: null,
    transaction: null,
    content: null,
    ...overrides,
  };
}
