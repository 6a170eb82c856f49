import type { Migration } from '@outband/db';

/** Decoy verifications and sessions (no enumeration). */
export const decoyVerifications: Migration = {
  name: '013_decoy_verifications',
  async up(knex) {
    // An identifier with no active subscriber gets a decoy verification (no enumeration).
    await knex.schema.alterTable('verifications', (t) => {
      t.integer('subscriber_id').unsigned().nullable().alter();
      t.string('decoy_of', 64).nullable();
      t.index(['merchant_id', 'decoy_of']);
    });
    await knex.schema.alterTable('sessions', (t) => {
      t.integer('subscriber_id').unsigned().nullable().alter();
      t.string('decoy_of', 64).nullable();
    });
  },
  async down(knex) {
    await knex.schema.alterTable('sessions', (t) => t.dropColumn('decoy_of'));
    await knex.schema.alterTable('verifications', (t) => {
      t.dropIndex(['merchant_id', 'decoy_of']);
      t.dropColumn('decoy_of');
    });
  },
};
