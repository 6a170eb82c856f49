import type { Migration } from '@outband/db';

/** Registered messages, their content sealed. */
export const registeredMessages: Migration = {
  name: '011_registered_messages',
  async up(knex) {
    // Registered messages: the content is sealed (AES-256-GCM, key id in the value), deleted after retention.
    await knex.schema.createTable('registered_messages', (t) => {
      t.string('id', 40).primary();
      t.string('merchant_id', 64).notNullable().references('merchants.id');
      t.integer('sender_id').unsigned().notNullable().references('subscribers.id');
      t.integer('addressee_id').unsigned().notNullable().references('subscribers.id');
      t.enum('state', ['awaiting_confirmation', 'deposited', 'retrieved', 'abandoned']).notNullable();
      t.text('sealed_content', 'mediumtext').nullable();
      t.string('content_digest', 64).notNullable();
      t.integer('size_bytes').notNullable();
      t.string('sender_verification_id', 40).nullable();
      t.string('retrieval_verification_id', 40).nullable();
      t.datetime('created_at', { precision: 3 }).notNullable();
      t.datetime('deposited_at', { precision: 3 }).nullable();
      t.datetime('retrieved_at', { precision: 3 }).nullable();
      t.datetime('content_deleted_at', { precision: 3 }).nullable();
      t.index(['content_deleted_at', 'created_at']);
    });
  },
  async down(knex) {
    await knex.schema.dropTable('registered_messages');
  },
};
