import type { Migration } from '@outband/db';

/** Each try to hand a certificate's message to an SMSC. */
export const deliveryAttempts: Migration = {
  name: '003_delivery_attempts',
  async up(knex) {
    // Each try to hand a certificate's message to an SMSC, as the message server reports it.
    await knex.schema.createTable('delivery_attempts', (t) => {
      t.uuid('certificate_id').notNullable().references('certificates.id');
      t.integer('attempt').notNullable();
      t.string('route', 64).notNullable();
      t.datetime('submitted_at', { precision: 3 }).nullable();
      t.string('smsc_message_ids', 1000).notNullable();
      t.enum('state', ['queued', 'submitted', 'delivered', 'failed', 'expired']).notNullable();
      t.string('error', 200).nullable();
      t.datetime('updated_at', { precision: 3 }).notNullable();
      t.primary(['certificate_id', 'attempt']);
    });
  },
  async down(knex) {
    await knex.schema.dropTable('delivery_attempts');
  },
};
