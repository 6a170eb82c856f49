export { loadDevEnv } from './dev-env';
export { inMemoryTtlStore, inMemoryTtlStoreStartedAt } from './embedded-stores';
