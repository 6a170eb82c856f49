export { loadDevEnv } from './dev-env';
export { inMemoryTtlStore } from './embedded-stores';
