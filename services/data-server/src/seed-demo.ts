import { ensureDatabase, migrateLatest, openDatabase } from '@outband/db';
import type { MerchantKeyView, ReceiverKind } from '@outband/contracts';
import { MerchantRepository, type MerchantPolicy } from './merchants/merchant.repository';
import { dataMigrationSource, dataMigrationsTable } from './platform/migrations';
import { SubscriberRepository } from './subscribers/subscriber.repository';

/** A merchant with its keys and the subscribers to add (demo, first run, tests). */
export interface DemoSeed {
  merchant: { id: string; name: string; keys: MerchantKeyView[] };
  subscribers: Array<{
    identifier: string;
    address: string;
    receiverKind?: ReceiverKind;
    status?: 'active' | 'suspended';
    locale?: 'en' | 'fr';
    cardToken?: string;
    bankCustomerId?: string;
  }>;
  /** How the merchant's payments are secured and billed; defaults when absent. */
  policy?: Partial<MerchantPolicy>;
}

/** Migrates, then adds or updates the seed's merchant, keys and subscribers. */
export async function seedDemo(databaseUrl: string, seed: DemoSeed): Promise<void> {
  await ensureDatabase(databaseUrl);
  const db = openDatabase(databaseUrl, { min: 0, max: 2 });
  try {
    await migrateLatest(db, dataMigrationSource, dataMigrationsTable);
    const merchants = new MerchantRepository(db);
    await merchants.upsertMerchant(seed.merchant.id, seed.merchant.name);
    for (const key of seed.merchant.keys) {
      await merchants.upsertKey(seed.merchant.id, key);
    }
    if (seed.policy) {
      await merchants.setPolicy(seed.merchant.id, seed.policy);
    }
    const subscribers = new SubscriberRepository(db);
    for (const s of seed.subscribers) {
      await subscribers.upsert({
        identifier: s.identifier,
        address: s.address,
        receiverKind: s.receiverKind ?? 'mobile',
        status: s.status ?? 'active',
        locale: s.locale ?? 'en',
        cardToken: s.cardToken ?? null,
        bankCustomerId: s.bankCustomerId ?? null,
      });
    }
  } finally {
    await db.destroy();
  }
}
