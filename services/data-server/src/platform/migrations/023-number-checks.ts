import type { Migration } from '@outband/db';

/**
 * What the network said of a number before its code went out (SIM swap, port) and what was done,
 * on the verification and on the certificate of the code; and each merchant's action and window.
 */
export const numberChecks: Migration = {
  name: '023_number_checks',
  async up(knex) {
    await knex.schema.alterTable('merchant_policies', (t) => {
      t.string('sim_swap_action', 10).nullable();
      t.integer('sim_swap_hours').nullable();
    });
    for (const table of ['verifications', 'certificates']) {
      await knex.schema.alterTable(table, (t) => {
        t.string('number_check', 40).nullable();
      });
    }
  },
  async down(knex) {
    for (const table of ['verifications', 'certificates']) {
      await knex.schema.alterTable(table, (t) => {
        t.dropColumn('number_check');
      });
    }
    await knex.schema.alterTable('merchant_policies', (t) => {
      t.dropColumn('sim_swap_action');
      t.dropColumn('sim_swap_hours');
    });
  },
};
