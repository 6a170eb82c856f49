import type { Migration } from '@outband/db';

/**
 * Migrations 016 on: what makes a database write and its bus message both happen or neither;
 * then what keeps background rounds cheap however large their backlog.
 */
export const reliabilityMigrations: Migration[] = [
  {
    name: '016_message_outbox',
    async up(knex) {
      // `message.send` staged with its certificate; the body is sealed (no code in clear).
      await knex.schema.createTable('message_outbox', (t) => {
        t.string('message_id', 36).primary();
        t.text('body', 'mediumtext').notNullable();
        t.string('correlation_id', 64).nullable();
        t.datetime('expires_at', { precision: 3 }).notNullable();
        t.datetime('next_attempt_at', { precision: 3 }).notNullable();
        t.integer('attempts').notNullable().defaultTo(0);
        t.index(['next_attempt_at']);
      });
    },
    async down(knex) {
      await knex.schema.dropTable('message_outbox');
    },
  },
  {
    name: '017_request_ids',
    async up(knex) {
      // The bus request that made a verification or a payment: a redelivered request finds it again.
      for (const table of ['verifications', 'payments']) {
        await knex.schema.alterTable(table, (t) => {
          t.string('request_id', 64).nullable();
          t.index(['merchant_id', 'request_id']);
        });
      }
    },
    async down(knex) {
      for (const table of ['verifications', 'payments']) {
        await knex.schema.alterTable(table, (t) => {
          t.dropIndex(['merchant_id', 'request_id']);
          t.dropColumn('request_id');
        });
      }
    },
  },
  {
    name: '018_webhook_due_index',
    async up(knex) {
      // Each poll reads the oldest due deliveries in index order and stops at a window (dueFairly);
      // merchant_id in the index lets skipped merchants be passed over without reading their rows.
      // It replaces the (status, next_attempt_at) index, its prefix.
      await knex.schema.alterTable('webhook_deliveries', (t) => {
        t.index(['status', 'next_attempt_at', 'merchant_id'], 'webhook_deliveries_due_index');
      });
      await knex.schema.alterTable('webhook_deliveries', (t) => {
        t.dropIndex(['status', 'next_attempt_at']);
      });
    },
    async down(knex) {
      await knex.schema.alterTable('webhook_deliveries', (t) => {
        t.index(['status', 'next_attempt_at']);
      });
      await knex.schema.alterTable('webhook_deliveries', (t) => {
        t.dropIndex(['status', 'next_attempt_at', 'merchant_id'], 'webhook_deliveries_due_index');
      });
    },
  },
];
