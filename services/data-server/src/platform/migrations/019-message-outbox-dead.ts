import type { Migration } from '@outband/db';

/** When the bus refused a staged `message.send`: the relay sets such a row aside. */
export const messageOutboxDead: Migration = {
  name: '019_message_outbox_dead',
  async up(knex) {
    // A body the bus refuses is refused on every try: the row is marked and kept out of the relay's
    // rounds (its next attempt is its expiry, when it is dropped), instead of cutting each round short.
    await knex.schema.alterTable('message_outbox', (t) => {
      t.datetime('dead_at', { precision: 3 }).nullable();
    });
  },
  async down(knex) {
    await knex.schema.alterTable('message_outbox', (t) => {
      t.dropColumn('dead_at');
    });
  },
};
