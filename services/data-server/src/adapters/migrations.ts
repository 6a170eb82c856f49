import { migrationSource, type Migration } from '@outband/db';

const migrations: Migration[] = [
  {
    name: '001_merchants_subscribers',
    async up(knex) {
      await knex.schema.createTable('merchants', (t) => {
        t.string('id', 64).primary();
        t.string('name', 200).notNullable();
        t.enum('status', ['active', 'suspended']).notNullable().defaultTo('active');
        t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
      });
      await knex.schema.createTable('merchant_keys', (t) => {
        t.increments('id');
        t.string('merchant_id', 64).notNullable().references('merchants.id');
        t.string('kid', 64).notNullable();
        t.enum('alg', ['HS256', 'RS256', 'ES256']).notNullable();
        // HS256: the shared secret (base64); RS256/ES256: the PEM public key.
        t.text('key_material').notNullable();
        t.enum('status', ['active', 'retired']).notNullable().defaultTo('active');
        t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
        t.unique(['merchant_id', 'kid']);
      });
      await knex.schema.createTable('subscribers', (t) => {
        t.increments('id');
        t.string('identifier', 128).notNullable().unique();
        t.string('address', 16).notNullable();
        t.enum('receiver_kind', ['mobile', 'pager-alpha', 'pager-numeric']).notNullable().defaultTo('mobile');
        t.enum('status', ['active', 'suspended']).notNullable().defaultTo('active');
        t.enum('locale', ['en', 'fr']).notNullable().defaultTo('en');
        t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
        t.datetime('updated_at', { precision: 3 }).notNullable().defaultTo(knex.fn.now(3));
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
      await knex.raw("ALTER TABLE verifications MODIFY purpose ENUM('login', 'transaction') NOT NULL");
      await knex.raw("ALTER TABLE certificates MODIFY purpose ENUM('login', 'transaction') NOT NULL");
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
      await knex.raw("ALTER TABLE certificates MODIFY purpose ENUM('login') NOT NULL");
      await knex.raw("ALTER TABLE verifications MODIFY purpose ENUM('login') NOT NULL");
    },
  },
  {
    name: '005_certified_messages',
    async up(knex) {
      await knex.raw("ALTER TABLE verifications MODIFY purpose ENUM('login', 'transaction', 'message') NOT NULL");
      await knex.raw("ALTER TABLE certificates MODIFY purpose ENUM('login', 'transaction', 'message') NOT NULL");
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
      await knex.raw("ALTER TABLE certificates MODIFY purpose ENUM('login', 'transaction') NOT NULL");
      await knex.raw("ALTER TABLE verifications MODIFY purpose ENUM('login', 'transaction') NOT NULL");
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
];

/** A knex migration source over the list above. */
export const dataMigrationSource = migrationSource(migrations);

/** The table where knex records which of the data server's migrations ran. */
export const dataMigrationsTable = 'knex_migrations_data';
