import type { Migration } from '@outband/db';

/** The index that due webhook deliveries are read in. */
export const webhookDueIndex: Migration = {
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
};
