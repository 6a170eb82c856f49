export { databaseReadiness, ensureDatabase, migrateDatabase, migrateLatest, migrationSource, openDatabase } from './database';
export type { Migration } from './database';
export type { Knex } from 'knex';
export { Batcher } from './batcher';
