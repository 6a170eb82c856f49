import type { Migration } from '@outband/db';

/**
 * Enrolments: a number someone proved they hold (a code sent there, typed back), certified for an
 * identifier; and on each subscriber, when and by whom its address was certified, and when it last
 * changed (transaction signing waits a cool-down after a change).
 */
export const enrolments: Migration = {
  name: '024_enrolments',
  async up(knex) {
    await knex.schema.createTable('enrolments', (t) => {
      t.string('id', 40).primary();
      t.string('merchant_id', 64).notNullable().references('id').inTable('merchants');
      t.string('identifier', 128).notNullable();
      t.string('address', 20).notNullable();
      t.string('locale', 2).notNullable();
      t.string('verification_id', 40).notNullable().references('id').inTable('verifications');
      t.string('status', 12).notNullable();
      t.dateTime('created_at', { precision: 3 }).notNullable();
      t.dateTime('expires_at', { precision: 3 }).notNullable();
      t.dateTime('confirmed_at', { precision: 3 }).nullable();
      t.index(['merchant_id', 'created_at'], 'enrolments_merchant_index');
    });
    await knex.schema.alterTable('subscribers', (t) => {
      t.dateTime('certified_at', { precision: 3 }).nullable();
      t.string('certified_by', 80).nullable();
      t.dateTime('address_changed_at', { precision: 3 }).nullable();
    });
  },
  async down(knex) {
    await knex.schema.alterTable('subscribers', (t) => {
      t.dropColumn('certified_at');
      t.dropColumn('certified_by');
      t.dropColumn('address_changed_at');
    });
    await knex.schema.dropTable('enrolments');
  },
};
