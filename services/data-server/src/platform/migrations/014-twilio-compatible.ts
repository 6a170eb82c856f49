import type { Migration } from '@outband/db';

/** Credentials and services of the Twilio-compatible surface. */
export const twilioCompatible: Migration = {
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
};
