export { busNames } from './topology';
export type { BusNames } from './topology';
export * from './common';
export * from './data-rpc';
export * from './message-events';
export * from './payments';
export * from './registered-messages';
export { seal, unseal } from './sealed-field';
export type { SealKey } from './sealed-field';
