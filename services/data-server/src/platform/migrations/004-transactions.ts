import type { Migration } from '@outband/db';
import { setPurposes } from './set-purposes';

/** Transaction codes: the `transaction` purpose and what a code approves. */
export const transactions: Migration = {
  name: '004_transactions',
  async up(knex) {
    await setPurposes(knex, 'verifications', ['login', 'transaction']);
    await setPurposes(knex, 'certificates', ['login', 'transaction']);
    // What a transaction code approves, for the merchant's view; the binding hash covers all of it.
    await knex.schema.alterTable('verifications', (t) => {
      t.bigInteger('amount_minor').nullable();
      t.string('currency', 3).nullable();
      t.string('payee', 64).nullable();
    });
  },
  async down(knex) {
    await knex.schema.alterTable('verifications', (t) => {
      t.dropColumn('amount_minor');
      t.dropColumn('currency');
      t.dropColumn('payee');
    });
    await setPurposes(knex, 'certificates', ['login']);
    await setPurposes(knex, 'verifications', ['login']);
  },
};
