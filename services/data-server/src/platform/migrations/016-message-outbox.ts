import type { Migration } from '@outband/db';

/** The outbox of `message.send`, staged with its certificate. */
export const messageOutbox: Migration = {
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
};
