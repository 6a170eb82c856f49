export { databaseReadiness, ensureDatabase, migrateLatest, openDatabase } from './database';
export type { Knex } from 'knex';
