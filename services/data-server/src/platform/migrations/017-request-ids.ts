import type { Migration } from '@outband/db';

/** The bus request that made a verification or a payment. */
export const requestIds: Migration = {
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
};
