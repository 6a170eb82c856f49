import type { Migration } from '@outband/db';

/**
 * Factors: authenticators (a TOTP app, an OCRA token) a person enrolled with a merchant, their
 * secret sealed, and the last time step a code of theirs was used (a code works once). A
 * verification checked by one names its channel and factor beside `channel`, whose values are
 * those a code travels by, and an OCRA one the challenge it showed.
 */
export const factors: Migration = {
  name: '027_factors',
  async up(knex) {
    await knex.schema.createTable('factors', (t) => {
      t.string('id', 40).primary();
      t.string('merchant_id', 64).notNullable().references('id').inTable('merchants');
      t.string('identifier', 128).notNullable();
      t.string('type', 12).notNullable();
      t.string('status', 12).notNullable();
      t.string('label', 64).notNullable();
      t.text('sealed_secret').notNullable();
      t.string('algorithm', 8).notNullable();
      t.integer('digits').notNullable();
      t.integer('period_seconds').nullable();
      t.string('suite', 64).nullable();
      t.integer('used_step').nullable();
      t.integer('failed_confirms').notNullable().defaultTo(0);
      t.string('service_sid', 34).nullable();
      t.dateTime('created_at', { precision: 3 }).notNullable();
      t.dateTime('updated_at', { precision: 3 }).notNullable();
      t.dateTime('verified_at', { precision: 3 }).nullable();
      t.index(['merchant_id', 'identifier'], 'factors_identifier_index');
    });
    // A Twilio service's entities: the people its factors and challenges belong to.
    await knex.schema.createTable('twilio_entities', (t) => {
      t.string('sid', 34).primary();
      t.string('merchant_id', 64).notNullable().references('id').inTable('merchants');
      t.string('service_sid', 34).notNullable();
      t.string('identity', 128).notNullable();
      t.dateTime('created_at', { precision: 3 }).notNullable();
      t.unique(['service_sid', 'identity'], { indexName: 'twilio_entities_identity_unique' });
    });
    // Attempts are listed by service and date.
    await knex.schema.alterTable('verifications', (t) => {
      t.index(['merchant_id', 'service_sid', 'created_at'], 'verifications_service_index');
    });
    await knex.schema.alterTable('verifications', (t) => {
      t.string('factor_channel', 16).nullable();
      t.string('factor_id', 40).nullable();
      t.string('challenge', 16).nullable();
    });
  },
  async down(knex) {
    await knex.schema.alterTable('verifications', (t) => {
      t.dropIndex(['merchant_id', 'service_sid', 'created_at'], 'verifications_service_index');
      t.dropColumn('factor_channel');
      t.dropColumn('factor_id');
      t.dropColumn('challenge');
    });
    await knex.schema.dropTable('twilio_entities');
    await knex.schema.dropTable('factors');
  },
};
