import { migrationSource, type Migration } from '@outband/db';

const migrations: Migration[] = [
  {
    name: '001_messages',
    async up(knex) {
      // Delivery state of each message; the text (which holds the code) is never stored.
      await knex.schema.createTable('messages', (t) => {
        t.uuid('id').primary();
        t.string('verification_id', 40).notNullable();
        t.string('address', 16).notNullable();
        t.enum('receiver_kind', ['mobile', 'pager-alpha', 'pager-numeric']).notNullable();
        t.string('purpose', 32).notNullable();
        t.enum('state', ['queued', 'submitted', 'delivered', 'failed', 'expired']).notNullable();
        t.string('smsc_message_id', 65).nullable().index();
        t.string('error', 200).nullable();
        t.integer('submit_attempts').notNullable().defaultTo(0);
        t.datetime('created_at', { precision: 3 }).notNullable();
        t.datetime('updated_at', { precision: 3 }).notNullable();
        t.datetime('submitted_at', { precision: 3 }).nullable();
      });
    },
    async down(knex) {
      await knex.schema.dropTable('messages');
    },
  },
  {
    name: '002_submits',
    async up(knex) {
      // One row per submit_sm (each part of each attempt), so receipts find their part.
      await knex.schema.createTable('submits', (t) => {
        t.bigIncrements('id');
        t.uuid('message_id').notNullable().index();
        t.integer('attempt').notNullable();
        t.string('route_id', 64).notNullable();
        // SMSC message ids are unique per SMSC only: receipts are matched within their connection.
        t.string('connection_id', 64).notNullable();
        t.integer('part').notNullable();
        t.integer('parts').notNullable();
        t.string('smsc_message_id', 65).nullable();
        t.enum('state', ['submitted', 'delivered', 'failed', 'expired']).notNullable();
        t.string('error', 200).nullable();
        t.datetime('submitted_at', { precision: 3 }).nullable();
        t.datetime('updated_at', { precision: 3 }).notNullable();
        t.index(['connection_id', 'smsc_message_id']);
      });
    },
    async down(knex) {
      await knex.schema.dropTable('submits');
    },
  },
  {
    name: '003_drop_message_submit_columns',
    async up(knex) {
      // Submits (per part and attempt) replaced these single-valued columns.
      await knex.schema.alterTable('messages', (t) => {
        t.dropIndex(['smsc_message_id']);
        t.dropColumn('smsc_message_id');
        t.dropColumn('submit_attempts');
        t.dropColumn('submitted_at');
      });
    },
    async down(knex) {
      await knex.schema.alterTable('messages', (t) => {
        t.string('smsc_message_id', 65).nullable().index();
        t.integer('submit_attempts').notNullable().defaultTo(0);
        t.datetime('submitted_at', { precision: 3 }).nullable();
      });
    },
  },
];

export const messageMigrationSource = migrationSource(migrations);

export const messageMigrationsTable = 'knex_migrations_message';
