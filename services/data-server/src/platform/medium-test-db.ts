import { randomBytes } from 'node:crypto';
import { migrateLatest, openDatabase, type Knex } from '@outband/db';
import { createLogger } from '@outband/observability';
import { SubscriberRepository, type Subscriber } from '../subscribers/subscriber.repository';
import type { CertificateRecord } from '../delivery/certificate.repository';
import type { VerificationRecord } from '../verifications/verification.repository';
import { WebhookRepository } from '../webhooks/webhook.repository';
import { WebhookService } from '../webhooks/webhook.service';
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

/** A queued certificate of a login code to Alice's mobile, for verification `verificationId`. */
export function certificateRecord(id: string, verificationId: string, createdAt: Date): CertificateRecord {
  return {
    id,
    verificationId,
    address: '+33612345678',
    purpose: 'login',
    deliveryState: 'queued',
    deliveryError: null,
    smscMessageId: null,
    outcome: 'pending',
    createdAt,
    deliveryUpdatedAt: createdAt,
    contentDigest: null,
  };
}

/**
 * The webhook service with one endpoint `we_shop` of merchant `shop` taking `events`: events are
 * queued as in production and never delivered, so a test reads them from `webhook_deliveries`.
 */
export async function queuingWebhooks(db: Knex, events: string[], clock: () => Date = () => new Date()): Promise<WebhookService> {
  const repo = new WebhookRepository(db);
  await repo.insertEndpoint({
    id: 'we_shop',
    merchantId: 'shop',
    url: 'https://hooks.example.com/',
    events,
    sealedSecret: '',
    createdAt: clock(),
  });
  return new WebhookService({
    repo,
    keys: [{ id: 'w1', key: randomBytes(32) }],
    retryBaseMs: 1000,
    giveUpMs: 60_000,
    timeoutMs: 1000,
    destinations: { allowHttp: false, allowedHosts: new Set<string>() },
    maxEndpoints: 5,
    concurrency: { total: 1, perMerchant: 1 },
    send: () => Promise.reject(new Error('this test delivers nothing')),
    clock,
    logger: createLogger({ service: 'test', level: 'silent' }),
  });
}
