export { databaseReadiness, ensureDatabase, isSqlite, migrationSource, nowDefault, openDatabase } from './database';
export { migrateDatabase, migrateLatest, pendingMigrations, unlockMigrations, waitForMigrations } from './migrations';
export type { MigrationLog } from './migrations';
export type { Migration } from './database';
export type { Knex } from 'knex';
export { Batcher } from './batcher';
export { retryDeadlock } from './retry-deadlock';
