export { startMessageServer } from './main';
export type { MessageServerHandle } from './main';
export { loadMessageServerConfig, messageServerEnv } from './config';
export type { MessageServerConfig } from './config';
export { messageMigrationSource, messageMigrationsTable } from './platform/migrations';
