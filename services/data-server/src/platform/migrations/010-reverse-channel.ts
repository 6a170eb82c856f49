import type { Migration } from '@outband/db';

/** The channel of a verification (`reverse-sms`). */
export const reverseChannel: Migration = {
  name: '010_reverse_channel',
  async up(knex) {
    // `reverse-sms`: the user texts the code shown on the first network back from the phone.
    await knex.schema.alterTable('verifications', (t) => {
      t.enum('channel', ['sms', 'reverse-sms']).notNullable().defaultTo('sms');
    });
  },
  async down(knex) {
    await knex.schema.alterTable('verifications', (t) => t.dropColumn('channel'));
  },
};
