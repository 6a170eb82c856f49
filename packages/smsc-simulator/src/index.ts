export { startSmscSimulator } from './smsc-simulator';
export type { SmscAccount, SmscSimulator, SmscSimulatorOptions } from './smsc-simulator';
export type { InboxMessage } from './inbox';
