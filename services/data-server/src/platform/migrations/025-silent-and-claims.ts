import type { Migration } from '@outband/db';

/**
 * How a silent verification went (the operator's network said the device holds the number, or a
 * code went by SMS instead), the keys an operator trusts to sign a merchant's address claims, and
 * what a merchant takes during the cool-down after an address change.
 */
export const silentAndClaims: Migration = {
  name: '025_silent_and_claims',
  async up(knex) {
    await knex.schema.alterTable('verifications', (t) => {
      t.string('silent', 16).nullable();
    });
    await knex.schema.alterTable('merchant_policies', (t) => {
      t.text('claim_keys').nullable();
      t.string('address_change_action', 16).nullable();
    });
  },
  async down(knex) {
    await knex.schema.alterTable('merchant_policies', (t) => {
      t.dropColumn('claim_keys');
      t.dropColumn('address_change_action');
    });
    await knex.schema.alterTable('verifications', (t) => t.dropColumn('silent'));
  },
};
