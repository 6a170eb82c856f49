import type { Migration } from '@outband/db';

/**
 * The index a subscriber is found by its number in: a start, a Twilio `To` or a terminal's card
 * names the number itself, and without it each such start read the whole contract table.
 */
export const subscriberAddressIndex: Migration = {
  name: '022_subscriber_address_index',
  async up(knex) {
    await knex.schema.alterTable('subscribers', (t) => {
      t.index(['address'], 'subscribers_address_index');
    });
  },
  async down(knex) {
    await knex.schema.alterTable('subscribers', (t) => {
      t.dropIndex(['address'], 'subscribers_address_index');
    });
  },
};
