import type { Migration } from '@outband/db';

/** The hash-chained audit trail and its head. */
export const auditEvents: Migration = {
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
};
