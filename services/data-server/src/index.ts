export { startDataServer } from './main';
export type { DataServerHandle } from './main';
export { dataServerEnv, loadDataServerConfig } from './config';
export type { DataServerConfig } from './config';
export { seedDemo } from './seed-demo';
export type { DemoSeed } from './seed-demo';
export { AuditLog } from './adapters/audit-log';
