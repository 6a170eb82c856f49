import { migrationSource, type Migration } from '@outband/db';

const migrations: Migration[] = [
  {
    name: '001_messages',
    async up(knex) {
      // Delivery state of each message; the text (which holds the code) is never stored.
      await knex.schema.createTable('messages', (t) => {
        t.uuid('id').primary();
        t.string('verification_id', 40).notNullable();
        t.string('address', 16).notNullable();
        t.enum('receiver_kind', ['mobile', 'pager-alpha', 'pager-numeric']).notNullable();
        t.string('purpose', 32).notNullable();
        t.enum('state', ['queued', 'submitted', 'delivered', 'failed', 'expired']).notNullable();
        t.string('smsc_message_id', 65).nullable().index();
        t.string('error', 200).nullable();
        t.integer('submit_attempts').notNullable().defaultTo(0);
        t.datetime('created_at', { precision: 3 }).notNullable();
        t.datetime('updated_at', { precision: 3 }).notNullable();
        t.datetime('submitted_at', { precision: 3 }).nullable();
      });
    },
    async down(knex) {
      await knex.schema.dropTable('messages');
    },
  },
];

export const messageMigrationSource = migrationSource(migrations);

export const messageMigrationsTable = 'knex_migrations_message';
