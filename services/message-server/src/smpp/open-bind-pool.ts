import { randomUUID } from 'node:crypto';
import type { Logger } from '@outband/observability';
import { openRedis, type RedisClient, type RedisConnectionConfig } from '@outband/redis-limits';
import type { SmscConnection } from '../smpp-routing.config';
import { LocalAccountRate, SharedAccountRate, type AccountRate } from './account-rate';
import { accountKey, LeasedBindBudget } from './bind-budget';
import { BindPool, type BindPoolOptions } from './bind-pool';

/** Where replicas share their SMSC accounts. */
export interface SharedAccounts {
  redis: RedisClient;
  /** Prefix of every Redis key. */
  prefix: string;
  /** This replica's id in the leases. */
  replica: string;
  /** How long a bind lease lasts unrenewed: how soon a dead replica's binds are taken over. */
  leaseMs: number;
}

/**
 * The bind pool of one SMSC connection: alone, it opens every bind and keeps the account's rate
 * locally; with `shared`, replicas lease the binds and take the account's rate from one bucket.
 */
export function openBindPool(
  c: SmscConnection,
  o: Omit<BindPoolOptions, 'budget' | 'accountRate'>,
  shared: SharedAccounts | undefined,
): BindPool {
  const now = o.now ?? Date.now;
  const key = shared ? accountKey(shared.prefix, c.id) : '';
  const budget = shared
    ? new LeasedBindBudget(shared.redis, key, shared.replica, c.binds, c.bindMode === 'transmitter', shared.leaseMs)
    : undefined;
  let rate: AccountRate | undefined;
  if (c.accountMaxSubmitsPerSecond !== undefined) {
    rate = shared
      ? new SharedAccountRate(
          shared.redis,
          `${key}:rate`,
          c.accountMaxSubmitsPerSecond,
          (): void => pool.wake(),
          (): number => pool.replicas,
        )
      : new LocalAccountRate(c.accountMaxSubmitsPerSecond, now());
  }
  // The rate's callbacks run only after the pool exists.
  const pool: BindPool = new BindPool(c, {
    ...o,
    ...(budget ? { budget, refreshMs: Math.max(100, budget.leaseMs / 5) } : {}),
    ...(rate ? { accountRate: rate } : {}),
  });
  return pool;
}

/** Redis for sharing the accounts, when the server is given one; else undefined (alone). */
export function sharedAccounts(
  config: Partial<RedisConnectionConfig> & { REDIS_PREFIX: string; SMPP_BIND_LEASE_MS: number },
  logger: Logger,
): SharedAccounts | undefined {
  if (!config.REDIS_URL && !config.REDIS_CLUSTER_NODES) {
    return undefined;
  }
  const redis = openRedis(
    { REDIS_URL: config.REDIS_URL ?? 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: config.REDIS_CLUSTER_NODES },
    logger,
  );
  return { redis, prefix: config.REDIS_PREFIX, replica: randomUUID(), leaseMs: config.SMPP_BIND_LEASE_MS };
}
