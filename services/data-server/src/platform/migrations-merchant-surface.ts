import type { Migration } from '@outband/db';

/** Migrations 013 on: decoys (no enumeration), the Twilio-compatible surface, merchants' texts. */
export const merchantSurfaceMigrations: Migration[] = [
  {
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
  },
  {
    name: '014_twilio_compatible',
    async up(knex) {
      // HTTP Basic credentials of the Twilio-compatible surface: only a hash of each secret.
      await knex.schema.createTable('twilio_credentials', (t) => {
        t.string('sid', 34).primary();
        t.string('merchant_id', 64).notNullable().references('merchants.id');
        t.string('account_sid', 34).notNullable();
        t.string('secret_sha256', 64).notNullable();
        t.datetime('created_at', { precision: 3 }).notNullable();
        t.index(['merchant_id']);
      });
      await knex.schema.createTable('twilio_services', (t) => {
        t.string('sid', 34).primary();
        t.string('merchant_id', 64).notNullable().references('merchants.id');
        t.string('friendly_name', 30).notNullable();
        t.tinyint('code_length').notNullable();
        t.datetime('created_at', { precision: 3 }).notNullable();
        t.datetime('updated_at', { precision: 3 }).notNullable();
        t.index(['merchant_id']);
      });
      await knex.schema.alterTable('verifications', (t) => {
        t.string('service_sid', 34).nullable();
        // Kept so a resend sends the same kind of code under the same name.
        t.tinyint('code_length').nullable();
        t.string('sender_name', 30).nullable();
      });
    },
    async down(knex) {
      await knex.schema.alterTable('verifications', (t) => t.dropColumns('service_sid', 'code_length', 'sender_name'));
      await knex.schema.dropTable('twilio_services');
      await knex.schema.dropTable('twilio_credentials');
    },
  },
  {
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
  },
];
