export { startSmscSimulator } from './smsc-simulator';
export type { SmscAccount, SmscSimulator, SmscSimulatorOptions, SmscStats } from './simulator-types';
export type { SmscBehaviour } from './behaviour';
export type { InboxMessage } from './inbox';
