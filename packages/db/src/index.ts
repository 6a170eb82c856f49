export { databaseReadiness, ensureDatabase, migrateDatabase, migrateLatest, openDatabase } from './database';
export type { Knex } from 'knex';
