import type { Migration } from '@outband/db';

/**
 * Identifier realms: a subscriber row is the installation's (`realm` empty: the operator's
 * contracts) or one merchant's own (`realm` = its id, written by its enrolments when the operator
 * keeps each merchant's identifiers apart); an identifier is unique within its realm. And what a
 * merchant takes during the cool-down after an address change, and the checks of a verification
 * found by its id (whether a changed number answered a code).
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
    await knex.schema.alterTable('merchant_policies', (t) => {
      t.string('address_change_action', 16).nullable();
    });
    // Whether a new number answered a code is read from the checks of its verifications.
    await knex.schema.alterTable('audit_events', (t) => {
      t.index(['verification_id'], 'audit_events_verification_index');
    });
  },
  async down(knex) {
    // A merchant's own rows have no place once identifiers are unique installation-wide again, and
    // verifications, payments and ledger entries name them: the operator decides what becomes of them.
    const own = await knex('subscribers').whereNot({ realm: '' }).count<Array<{ n: number | string }>>('id as n');
    if (Number(own[0]?.n ?? 0) > 0) {
      throw new Error("subscribers of merchants' own realms remain: move or remove them before going back past 026");
    }
    await knex.schema.alterTable('audit_events', (t) => t.dropIndex(['verification_id'], 'audit_events_verification_index'));
    await knex.schema.alterTable('merchant_policies', (t) => t.dropColumn('address_change_action'));
    await knex.schema.alterTable('subscribers', (t) => {
      t.dropUnique(['identifier', 'realm'], 'subscribers_identifier_realm_unique');
      t.unique(['identifier']);
    });
    await knex.schema.alterTable('subscribers', (t) => t.dropColumn('realm'));
  },
};
