import type { Migration } from '@outband/db';

/** First-network sessions and the `session_closed` outcome. */
export const sessions: Migration = {
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
};
