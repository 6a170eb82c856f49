import type { Migration } from '@outband/db';

/**
 * How a silent verification went (the operator's network said the device holds the number, or a
 * code went by SMS instead), and the keys an operator trusts to sign a merchant's address claims.
 */
export const silentAndClaims: Migration = {
  name: '025_silent_and_claims',
  async up(knex) {
    await knex.schema.alterTable('verifications', (t) => {
      t.string('silent', 16).nullable();
    });
    await knex.schema.alterTable('merchant_policies', (t) => {
      t.text('claim_keys').nullable();
    });
  },
  async down(knex) {
    await knex.schema.alterTable('merchant_policies', (t) => t.dropColumn('claim_keys'));
    await knex.schema.alterTable('verifications', (t) => t.dropColumn('silent'));
  },
};
