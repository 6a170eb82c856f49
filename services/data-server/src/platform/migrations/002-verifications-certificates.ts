import type { Migration } from '@outband/db';

/** Verifications and the certificate of each code delivered. */
export const verificationsCertificates: Migration = {
  name: '002_verifications_certificates',
  async up(knex) {
    // The audit record of a verification: never the code, only what is needed to check it.
    await knex.schema.createTable('verifications', (t) => {
      t.string('id', 40).primary();
      t.string('merchant_id', 64).notNullable().references('merchants.id');
      t.integer('subscriber_id').unsigned().notNullable().references('subscribers.id');
      t.enum('purpose', ['login']).notNullable();
      t.enum('status', ['pending', 'approved', 'canceled', 'max_attempts_reached', 'expired', 'failed']).notNullable();
      t.string('address_masked', 32).notNullable();
      t.integer('attempts').notNullable().defaultTo(0);
      t.integer('max_attempts').notNullable();
      t.string('code_key_id', 32).notNullable();
      t.string('mac_key_id', 32).notNullable();
      t.string('binding_hash', 64).notNullable();
      t.string('correlation_id', 64).nullable();
      t.datetime('created_at', { precision: 3 }).notNullable();
      t.datetime('expires_at', { precision: 3 }).notNullable();
      t.datetime('finished_at', { precision: 3 }).nullable();
      t.index(['merchant_id', 'created_at']);
    });
    // One row per code delivered: the patent keeps "a record of each of these certificates".
    await knex.schema.createTable('certificates', (t) => {
      t.uuid('id').primary();
      t.string('verification_id', 40).notNullable().references('verifications.id');
      t.string('address', 16).notNullable();
      t.enum('purpose', ['login']).notNullable();
      t.enum('delivery_state', ['queued', 'submitted', 'delivered', 'failed', 'expired']).notNullable();
      t.string('delivery_error', 200).nullable();
      t.string('smsc_message_id', 65).nullable();
      t.enum('outcome', ['pending', 'approved', 'canceled', 'max_attempts_reached', 'expired', 'failed']).notNullable();
      t.datetime('created_at', { precision: 3 }).notNullable();
      t.datetime('delivery_updated_at', { precision: 3 }).notNullable();
      t.index(['verification_id']);
    });
  },
  async down(knex) {
    await knex.schema.dropTable('certificates');
    await knex.schema.dropTable('verifications');
  },
};
