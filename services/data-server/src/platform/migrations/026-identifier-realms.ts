import type { Migration } from '@outband/db';

/**
 * Identifier realms: a subscriber row is the installation's (`realm` empty: the operator's
 * contracts) or one merchant's own (`realm` = its id, written by its enrolments when the operator
 * keeps each merchant's identifiers apart); an identifier is unique within its realm.
 */
export const identifierRealms: Migration = {
  name: '026_identifier_realms',
  async up(knex) {
    await knex.schema.alterTable('subscribers', (t) => {
      t.string('realm', 64).notNullable().defaultTo('');
    });
    await knex.schema.alterTable('subscribers', (t) => {
      t.dropUnique(['identifier']);
      t.unique(['identifier', 'realm'], { indexName: 'subscribers_identifier_realm_unique' });
    });
  },
  async down(knex) {
    // A merchant's own rows have no place once identifiers are unique installation-wide again.
    await knex('subscribers').whereNot({ realm: '' }).delete();
    await knex.schema.alterTable('subscribers', (t) => {
      t.dropUnique(['identifier', 'realm'], 'subscribers_identifier_realm_unique');
      t.unique(['identifier']);
    });
    await knex.schema.alterTable('subscribers', (t) => t.dropColumn('realm'));
  },
};
