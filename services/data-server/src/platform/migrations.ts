import { isSqlite, migrationSource, nowDefault, type Knex, type Migration } from '@outband/db';
import { merchantSurfaceMigrations } from './migrations-merchant-surface';
import { reliabilityMigrations } from './migrations-reliability';

/** Changes the purposes a table's `purpose` enum allows (on SQLite enums are not enforced: see openDatabase). */
async function setPurposes(knex: Knex, table: string, purposes: string[]): Promise<void> {
  if (isSqlite(knex)) {
    return;
  }
  await knex.raw(`ALTER TABLE ${table} MODIFY purpose ENUM(${purposes.map((p) => `'${p}'`).join(', ')}) NOT NULL`);
}

const migrations: Migration[] = [
  {
    name: '001_merchants_subscribers',
    async up(knex) {
      await knex.schema.createTable('merchants', (t) => {
        t.string('id', 64).primary();
        t.string('name', 200).notNullable();
        t.enum('status', ['active', 'suspended']).notNullable().defaultTo('active');
        t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(nowDefault(knex));
      });
      await knex.schema.createTable('merchant_keys', (t) => {
        t.increments('id');
        t.string('merchant_id', 64).notNullable().references('merchants.id');
        t.string('kid', 64).notNullable();
        t.enum('alg', ['HS256', 'RS256', 'ES256']).notNullable();
        // HS256: the shared secret (base64); RS256/ES256: the PEM public key.
        t.text('key_material').notNullable();
        t.enum('status', ['active', 'retired']).notNullable().defaultTo('active');
        t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(nowDefault(knex));
        t.unique(['merchant_id', 'kid']);
      });
      await knex.schema.createTable('subscribers', (t) => {
        t.increments('id');
        t.string('identifier', 128).notNullable().unique();
        t.string('address', 16).notNullable();
        t.enum('receiver_kind', ['mobile', 'pager-alpha', 'pager-numeric']).notNullable().defaultTo('mobile');
        t.enum('status', ['active', 'suspended']).notNullable().defaultTo('active');
        t.enum('locale', ['en', 'fr']).notNullable().defaultTo('en');
        t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(nowDefault(knex));
        t.datetime('updated_at', { precision: 3 }).notNullable().defaultTo(nowDefault(knex));
      });
    },
    async down(knex) {
      await knex.schema.dropTable('subscribers');
      await knex.schema.dropTable('merchant_keys');
      await knex.schema.dropTable('merchants');
    },
  },
  {
    name: '002_verifications_certificates',
    async up(knex) {
      // The audit record of a verification: never the code, only what is needed to check it.
      await knex.schema.createTable('verifications', (t) => {
        t.string('id', 40).primary();
        t.string('merchant_id', 64).notNullable().references('merchants.id');
        t.integer('subscriber_id').unsigned().notNullable().references('subscribers.id');
        t.enum('purpose', ['login']).notNullable();
        t.enum('status', ['pending', 'approved', 'canceled', 'max_attempts_reached', 'expired', 'failed']).notNullable();
        t.string('address_masked', 32).notNullable();
        t.integer('attempts').notNullable().defaultTo(0);
        t.integer('max_attempts').notNullable();
        t.string('code_key_id', 32).notNullable();
        t.string('mac_key_id', 32).notNullable();
        t.string('binding_hash', 64).notNullable();
        t.string('correlation_id', 64).nullable();
        t.datetime('created_at', { precision: 3 }).notNullable();
        t.datetime('expires_at', { precision: 3 }).notNullable();
        t.datetime('finished_at', { precision: 3 }).nullable();
        t.index(['merchant_id', 'created_at']);
      });
      // One row per code delivered: the patent keeps "a record of each of these certificates".
      await knex.schema.createTable('certificates', (t) => {
        t.uuid('id').primary();
        t.string('verification_id', 40).notNullable().references('verifications.id');
        t.string('address', 16).notNullable();
        t.enum('purpose', ['login']).notNullable();
        t.enum('delivery_state', ['queued', 'submitted', 'delivered', 'failed', 'expired']).notNullable();
        t.string('delivery_error', 200).nullable();
        t.string('smsc_message_id', 65).nullable();
        t.enum('outcome', ['pending', 'approved', 'canceled', 'max_attempts_reached', 'expired', 'failed']).notNullable();
        t.datetime('created_at', { precision: 3 }).notNullable();
        t.datetime('delivery_updated_at', { precision: 3 }).notNullable();
        t.index(['verification_id']);
      });
    },
    async down(knex) {
      await knex.schema.dropTable('certificates');
      await knex.schema.dropTable('verifications');
    },
  },
  {
    name: '003_delivery_attempts',
    async up(knex) {
      // Each try to hand a certificate's message to an SMSC, as the message server reports it.
      await knex.schema.createTable('delivery_attempts', (t) => {
        t.uuid('certificate_id').notNullable().references('certificates.id');
        t.integer('attempt').notNullable();
        t.string('route', 64).notNullable();
        t.datetime('submitted_at', { precision: 3 }).nullable();
        t.string('smsc_message_ids', 1000).notNullable();
        t.enum('state', ['queued', 'submitted', 'delivered', 'failed', 'expired']).notNullable();
        t.string('error', 200).nullable();
        t.datetime('updated_at', { precision: 3 }).notNullable();
        t.primary(['certificate_id', 'attempt']);
      });
    },
    async down(knex) {
      await knex.schema.dropTable('delivery_attempts');
    },
  },
  {
    name: '004_transactions',
    async up(knex) {
      await setPurposes(knex, 'verifications', ['login', 'transaction']);
      await setPurposes(knex, 'certificates', ['login', 'transaction']);
      // What a transaction code approves, for the merchant's view; the binding hash covers all of it.
      await knex.schema.alterTable('verifications', (t) => {
        t.bigInteger('amount_minor').nullable();
        t.string('currency', 3).nullable();
        t.string('payee', 64).nullable();
      });
    },
    async down(knex) {
      await knex.schema.alterTable('verifications', (t) => {
        t.dropColumn('amount_minor');
        t.dropColumn('currency');
        t.dropColumn('payee');
      });
      await setPurposes(knex, 'certificates', ['login']);
      await setPurposes(knex, 'verifications', ['login']);
    },
  },
  {
    name: '005_certified_messages',
    async up(knex) {
      await setPurposes(knex, 'verifications', ['login', 'transaction', 'message']);
      await setPurposes(knex, 'certificates', ['login', 'transaction', 'message']);
      // The SHA-256 of a certified order or declaration: the record keeps what was approved, not the text.
      await knex.schema.alterTable('verifications', (t) => {
        t.string('content_digest', 64).nullable();
        t.string('content_reference', 64).nullable();
      });
      await knex.schema.alterTable('certificates', (t) => {
        t.string('content_digest', 64).nullable();
      });
    },
    async down(knex) {
      await knex.schema.alterTable('certificates', (t) => t.dropColumn('content_digest'));
      await knex.schema.alterTable('verifications', (t) => {
        t.dropColumn('content_digest');
        t.dropColumn('content_reference');
      });
      await setPurposes(knex, 'certificates', ['login', 'transaction']);
      await setPurposes(knex, 'verifications', ['login', 'transaction']);
    },
  },
  {
    name: '006_audit_events',
    async up(knex) {
      // Append-only and hash-chained: each row carries the hash of the one before it.
      await knex.schema.createTable('audit_events', (t) => {
        t.bigIncrements('id');
        t.datetime('at', { precision: 3 }).notNullable();
        t.string('kind', 40).notNullable();
        t.string('merchant_id', 64).nullable();
        t.string('verification_id', 40).nullable();
        t.integer('subscriber_id').unsigned().nullable();
        t.string('outcome', 40).nullable();
        t.string('prev_hash', 64).notNullable();
        t.string('hash', 64).notNullable();
      });
      // The chain's head: one row that writers lock, so all of them, in every process, extend one chain.
      await knex.schema.createTable('audit_head', (t) => {
        t.integer('id').primary();
        t.string('hash', 64).notNullable();
      });
      await knex('audit_head').insert({ id: 1, hash: '0'.repeat(64) });
    },
    async down(knex) {
      await knex.schema.dropTable('audit_head');
      await knex.schema.dropTable('audit_events');
    },
  },
  {
    name: '007_payments_ledger',
    async up(knex) {
      // The contract database's side of a payment (Fig. 8-9): the card on file, the bank's customer.
      await knex.schema.alterTable('subscribers', (t) => {
        t.string('card_token', 64).nullable();
        t.string('bank_customer_id', 64).nullable().index();
      });
      // Per merchant: when a payment needs a code (Fig. 10) and how its registers are billed.
      await knex.schema.createTable('merchant_policies', (t) => {
        t.string('merchant_id', 64).primary().references('merchants.id');
        t.bigInteger('limit_amount').nullable();
        t.enum('low_value_rule', ['none', 'cumulative_amount', 'count']).notNullable().defaultTo('none');
        t.boolean('authorize_after_check').notNullable().defaultTo(false);
        t.enum('billing_mode', ['amount', 'per_verification']).notNullable().defaultTo('amount');
        t.bigInteger('billing_value').notNullable().defaultTo(0);
        t.string('billing_currency', 3).notNullable().defaultTo('EUR');
        t.integer('service_charge_bps').notNullable().defaultTo(0);
      });
      await knex.schema.createTable('payments', (t) => {
        t.string('id', 40).primary();
        t.string('merchant_id', 64).notNullable().references('merchants.id');
        t.integer('subscriber_id').unsigned().notNullable().references('subscribers.id');
        t.enum('source', ['card', 'contract', 'terminal']).notNullable();
        t.string('terminal_id', 64).nullable();
        t.string('card_token', 64).notNullable();
        t.bigInteger('amount').notNullable();
        t.string('currency', 3).notNullable();
        t.string('payee', 64).notNullable();
        t.text('transaction_json').notNullable();
        t.enum('securing', ['secured', 'normal']).notNullable();
        t.boolean('authorize_after_check').notNullable();
        t.string('state', 16).notNullable();
        t.string('cause', 200).nullable();
        t.string('authorization_id', 64).nullable();
        t.string('verification_id', 40).nullable().unique();
        t.datetime('created_at', { precision: 3 }).notNullable();
        t.datetime('updated_at', { precision: 3 }).notNullable();
        t.index(['subscriber_id', 'created_at']);
        t.index(['state', 'updated_at']);
      });
      await knex.schema.createTable('payment_events', (t) => {
        t.bigIncrements('id');
        t.string('payment_id', 40).notNullable().references('payments.id');
        t.string('from_state', 16).nullable();
        t.string('to_state', 16).notNullable();
        t.string('cause', 200).nullable();
        t.datetime('at', { precision: 3 }).notNullable();
        t.index(['payment_id', 'id']);
      });
      // Billing registers (aspects 5-7): append only; the key makes a repeated booking a no-op.
      await knex.schema.createTable('ledger_entries', (t) => {
        t.bigIncrements('id');
        t.enum('register', ['receiver', 'merchant']).notNullable();
        t.string('merchant_id', 64).notNullable();
        t.integer('subscriber_id').unsigned().notNullable();
        t.enum('kind', ['amount', 'duration', 'per_verification']).notNullable();
        t.bigInteger('amount').notNullable();
        t.string('currency', 3).notNullable();
        t.string('payment_id', 40).nullable();
        t.string('verification_id', 40).nullable();
        t.string('idempotency_key', 128).notNullable().unique();
        t.datetime('booked_at', { precision: 3 }).notNullable();
        t.index(['register', 'merchant_id', 'booked_at']);
        t.index(['register', 'subscriber_id', 'booked_at']);
      });
    },
    async down(knex) {
      await knex.schema.dropTable('ledger_entries');
      await knex.schema.dropTable('payment_events');
      await knex.schema.dropTable('payments');
      await knex.schema.dropTable('merchant_policies');
      await knex.schema.alterTable('subscribers', (t) => {
        t.dropColumn('bank_customer_id');
        t.dropColumn('card_token');
      });
    },
  },
  {
    name: '008_merchant_limits',
    async up(knex) {
      // Per merchant: where codes may go (ISO countries, comma-separated; null: anywhere) and its own rates.
      await knex.schema.alterTable('merchant_policies', (t) => {
        t.string('allowed_countries', 255).nullable();
        t.integer('limit_per_second').nullable();
        t.integer('limit_per_day').nullable();
      });
    },
    async down(knex) {
      await knex.schema.alterTable('merchant_policies', (t) => {
        t.dropColumn('limit_per_day');
        t.dropColumn('limit_per_second');
        t.dropColumn('allowed_countries');
      });
    },
  },
  {
    name: '009_sessions',
    async up(knex) {
      // First-network sessions: their codes die with them; their duration is billable (aspect 6).
      await knex.schema.createTable('sessions', (t) => {
        t.string('id', 40).primary();
        t.string('merchant_id', 64).notNullable().references('merchants.id');
        t.integer('subscriber_id').unsigned().notNullable().references('subscribers.id');
        t.enum('status', ['open', 'closed']).notNullable();
        t.enum('close_reason', ['ended', 'idle']).nullable();
        t.datetime('opened_at', { precision: 3 }).notNullable();
        t.datetime('last_seen_at', { precision: 3 }).notNullable();
        t.datetime('closed_at', { precision: 3 }).nullable();
        t.index(['status', 'last_seen_at']);
      });
      await knex.schema.alterTable('verifications', (t) => {
        t.string('session_id', 40).nullable().index();
        t.enum('status', ['pending', 'approved', 'canceled', 'max_attempts_reached', 'expired', 'failed', 'session_closed'])
          .notNullable()
          .alter();
      });
      await knex.schema.alterTable('certificates', (t) => {
        t.enum('outcome', ['pending', 'approved', 'canceled', 'max_attempts_reached', 'expired', 'failed', 'session_closed'])
          .notNullable()
          .alter();
      });
      await knex.schema.alterTable('merchant_policies', (t) => {
        t.enum('billing_mode', ['amount', 'per_verification', 'duration']).notNullable().defaultTo('amount').alter();
      });
    },
    async down(knex) {
      await knex.schema.alterTable('verifications', (t) => t.dropColumn('session_id'));
      await knex.schema.dropTable('sessions');
    },
  },
  {
    name: '010_reverse_channel',
    async up(knex) {
      // `reverse-sms`: the user texts the code shown on the first network back from the phone.
      await knex.schema.alterTable('verifications', (t) => {
        t.enum('channel', ['sms', 'reverse-sms']).notNullable().defaultTo('sms');
      });
    },
    async down(knex) {
      await knex.schema.alterTable('verifications', (t) => t.dropColumn('channel'));
    },
  },
  {
    name: '011_registered_messages',
    async up(knex) {
      // Registered messages: the content is sealed (AES-256-GCM, key id in the value), deleted after retention.
      await knex.schema.createTable('registered_messages', (t) => {
        t.string('id', 40).primary();
        t.string('merchant_id', 64).notNullable().references('merchants.id');
        t.integer('sender_id').unsigned().notNullable().references('subscribers.id');
        t.integer('addressee_id').unsigned().notNullable().references('subscribers.id');
        t.enum('state', ['awaiting_confirmation', 'deposited', 'retrieved', 'abandoned']).notNullable();
        t.text('sealed_content', 'mediumtext').nullable();
        t.string('content_digest', 64).notNullable();
        t.integer('size_bytes').notNullable();
        t.string('sender_verification_id', 40).nullable();
        t.string('retrieval_verification_id', 40).nullable();
        t.datetime('created_at', { precision: 3 }).notNullable();
        t.datetime('deposited_at', { precision: 3 }).nullable();
        t.datetime('retrieved_at', { precision: 3 }).nullable();
        t.datetime('content_deleted_at', { precision: 3 }).nullable();
        t.index(['content_deleted_at', 'created_at']);
      });
    },
    async down(knex) {
      await knex.schema.dropTable('registered_messages');
    },
  },
  {
    name: '012_webhooks',
    async up(knex) {
      await knex.schema.createTable('webhook_endpoints', (t) => {
        t.string('id', 40).primary();
        t.string('merchant_id', 64).notNullable().references('merchants.id');
        t.string('url', 2000).notNullable();
        t.string('events', 1000).notNullable();
        // The signing secret, sealed with CONTENT_KEYS (never stored in clear).
        t.text('sealed_secret').notNullable();
        t.enum('status', ['active', 'removed']).notNullable().defaultTo('active');
        t.datetime('created_at', { precision: 3 }).notNullable();
        t.index(['merchant_id', 'status']);
      });
      // The outbox: a delivery survives restarts and is retried until it succeeds or gives up.
      await knex.schema.createTable('webhook_deliveries', (t) => {
        t.bigIncrements('id');
        t.string('endpoint_id', 40).notNullable().references('webhook_endpoints.id');
        t.string('merchant_id', 64).notNullable();
        t.string('event_id', 40).notNullable();
        t.string('event_type', 64).notNullable();
        t.text('payload', 'mediumtext').notNullable();
        t.enum('status', ['pending', 'delivered', 'failed']).notNullable();
        t.integer('attempts').notNullable().defaultTo(0);
        t.integer('last_status_code').nullable();
        t.string('last_error', 200).nullable();
        t.datetime('created_at', { precision: 3 }).notNullable();
        t.datetime('next_attempt_at', { precision: 3 }).notNullable();
        t.datetime('locked_until', { precision: 3 }).nullable();
        t.datetime('delivered_at', { precision: 3 }).nullable();
        t.unique(['endpoint_id', 'event_id']);
        t.index(['status', 'next_attempt_at']);
      });
    },
    async down(knex) {
      await knex.schema.dropTable('webhook_deliveries');
      await knex.schema.dropTable('webhook_endpoints');
    },
  },
];

/** A knex migration source over the list above. */
export const dataMigrationSource = migrationSource([...migrations, ...merchantSurfaceMigrations, ...reliabilityMigrations]);

/** The table where knex records which of the data server's migrations ran. */
export const dataMigrationsTable = 'knex_migrations_data';
