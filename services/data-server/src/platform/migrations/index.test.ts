import { migrateLatest, openDatabase } from '@outband/db';
import { dataMigrationSource, dataMigrationsTable } from './index';

// The names knex has recorded in existing databases: a renamed or reordered migration would run again.
const recorded = [
  '001_merchants_subscribers',
  '002_verifications_certificates',
  '003_delivery_attempts',
  '004_transactions',
  '005_certified_messages',
  '006_audit_events',
  '007_payments_ledger',
  '008_merchant_limits',
  '009_sessions',
  '010_reverse_channel',
  '011_registered_messages',
  '012_webhooks',
  '013_decoy_verifications',
  '014_twilio_compatible',
  '015_merchant_texts',
  '016_message_outbox',
  '017_request_ids',
  '018_webhook_due_index',
  '019_message_outbox_dead',
  '020_webhook_claims',
  '021_audit_chains',
  '022_subscriber_address_index',
];

it('keeps the names and the order that databases have recorded', async () => {
  const migrations = await dataMigrationSource.getMigrations([]);
  expect(migrations.slice(0, recorded.length).map((m) => dataMigrationSource.getMigrationName(m))).toEqual(recorded);
});

it('runs every migration on the embedded database, in order', async () => {
  const db = openDatabase('sqlite::memory:');
  try {
    const names = await migrateLatest(db, dataMigrationSource, dataMigrationsTable);
    expect(names.slice(0, recorded.length)).toEqual(recorded);
  } finally {
    await db.destroy();
  }
});
