import type { Migration } from '@outband/db';

/** A merchant's code length, lifetime, sender name and templates. */
export const merchantTexts: Migration = {
  name: '015_merchant_texts',
  async up(knex) {
    // A merchant's codes and texts: digits, lifetime, brand and its own templates.
    await knex.schema.alterTable('merchant_policies', (t) => {
      t.tinyint('code_length').nullable();
      t.integer('code_ttl_seconds').nullable();
      t.string('sender_name', 30).nullable();
      t.text('templates_json').nullable();
    });
  },
  async down(knex) {
    await knex.schema.alterTable('merchant_policies', (t) =>
      t.dropColumns('code_length', 'code_ttl_seconds', 'sender_name', 'templates_json'),
    );
  },
};
