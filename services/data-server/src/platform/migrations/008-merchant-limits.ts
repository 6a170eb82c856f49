import type { Migration } from '@outband/db';

/** Per merchant: allowed countries and its own rates. */
export const merchantLimits: Migration = {
  name: '008_merchant_limits',
  async up(knex) {
    // Per merchant: where codes may go (ISO countries, comma-separated; null: anywhere) and its own rates.
    await knex.schema.alterTable('merchant_policies', (t) => {
      t.string('allowed_countries', 255).nullable();
      t.integer('limit_per_second').nullable();
      t.integer('limit_per_day').nullable();
    });
  },
  async down(knex) {
    await knex.schema.alterTable('merchant_policies', (t) => {
      t.dropColumn('limit_per_day');
      t.dropColumn('limit_per_second');
      t.dropColumn('allowed_countries');
    });
  },
};
