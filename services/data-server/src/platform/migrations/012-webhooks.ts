import type { Migration } from '@outband/db';

/** Webhook endpoints and the outbox of their deliveries. */
export const webhooks: Migration = {
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
};
