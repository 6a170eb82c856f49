export {
  databaseReadiness,
  ensureDatabase,
  isSqlite,
  migrateDatabase,
  migrateLatest,
  migrationSource,
  nowDefault,
  openDatabase,
} from './database';
export type { Migration } from './database';
export type { Knex } from 'knex';
export { Batcher } from './batcher';
export { retryDeadlock } from './retry-deadlock';
