import type { Redis } from 'ioredis';
import RedisMock from 'ioredis-mock';

/**
 * The TTL store of the embedded default: Redis's commands, expiries and Lua scripts in this
 * process's memory (ioredis-mock, Lua run by fengari). Each call is a store of its own. It passes
 * the same conformance suite as Redis (tests/ttl-store.int.test.ts); nothing survives the process.
 */
export function inMemoryTtlStore(): Redis {
  return new RedisMock();
}
