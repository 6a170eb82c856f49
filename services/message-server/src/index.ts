export { startMessageServer } from './main';
export type { MessageServerHandle } from './main';
export { loadMessageServerConfig, messageServerEnv } from './config';
export type { MessageServerConfig } from './config';
export { messageMigrationSource, messageMigrationsTable } from './platform/migrations';
// The bind leases on their own, for tests of how replicas share an account's binds.
export { LeasedBindBudget, accountKey } from './smpp/bind-budget';
export type { BindGrant } from './smpp/bind-budget';
