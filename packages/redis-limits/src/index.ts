export { LuaScript } from './lua-script';
export { RateLimiter } from './rate-limiter';
export type { RateDecision } from './rate-limiter';
export { inMemoryTtlStore, inMemoryTtlStoreStartedAt } from './in-memory-ttl-store';
export { openRedis } from './redis-connection';
export type { RedisClient, RedisConnectionConfig, RedisErrorLog } from './redis-connection';
