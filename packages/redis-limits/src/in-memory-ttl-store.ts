import type { Redis } from 'ioredis';
import type RedisMock from 'ioredis-mock';

let startedAt: Date | undefined;

/**
 * The TTL store of the embedded default: Redis's commands, expiries and Lua scripts in this
 * process's memory (ioredis-mock, Lua run by fengari). The connections of one process share one
 * store (ioredis-mock keeps one per host and port). It passes the same conformance suite as Redis
 * (tests/platform/ttl-store.int.test.ts); nothing survives the process.
 */
export function inMemoryTtlStore(): Redis {
  // Loaded on first use: services that talk to a real Redis import this package too, and need
  // not load fengari.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const Store = require('ioredis-mock') as typeof RedisMock;
  startedAt ??= new Date();
  return new Store();
}

/** When this process's in-memory TTL store started, empty (its first connection); none yet: undefined. */
export function inMemoryTtlStoreStartedAt(): Date | undefined {
  return startedAt;
}
