import { nowDefault, type Migration } from '@outband/db';

/** Merchants, their keys, and subscribers. */
export const merchantsSubscribers: Migration = {
  name: '001_merchants_subscribers',
  async up(knex) {
    await knex.schema.createTable('merchants', (t) => {
      t.string('id', 64).primary();
      t.string('name', 200).notNullable();
      t.enum('status', ['active', 'suspended']).notNullable().defaultTo('active');
      t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(nowDefault(knex));
    });
    await knex.schema.createTable('merchant_keys', (t) => {
      t.increments('id');
      t.string('merchant_id', 64).notNullable().references('merchants.id');
      t.string('kid', 64).notNullable();
      t.enum('alg', ['HS256', 'RS256', 'ES256']).notNullable();
      // HS256: the shared secret (base64); RS256/ES256: the PEM public key.
      t.text('key_material').notNullable();
      t.enum('status', ['active', 'retired']).notNullable().defaultTo('active');
      t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(nowDefault(knex));
      t.unique(['merchant_id', 'kid']);
    });
    await knex.schema.createTable('subscribers', (t) => {
      t.increments('id');
      t.string('identifier', 128).notNullable().unique();
      t.string('address', 16).notNullable();
      t.enum('receiver_kind', ['mobile', 'pager-alpha', 'pager-numeric']).notNullable().defaultTo('mobile');
      t.enum('status', ['active', 'suspended']).notNullable().defaultTo('active');
      t.enum('locale', ['en', 'fr']).notNullable().defaultTo('en');
      t.datetime('created_at', { precision: 3 }).notNullable().defaultTo(nowDefault(knex));
      t.datetime('updated_at', { precision: 3 }).notNullable().defaultTo(nowDefault(knex));
    });
  },
  async down(knex) {
    await knex.schema.dropTable('subscribers');
    await knex.schema.dropTable('merchant_keys');
    await knex.schema.dropTable('merchants');
  },
};
