import { Cluster, Redis, type RedisOptions } from 'ioredis';

/**
 * A connection to one Redis node or to a Redis Cluster: the same commands. On a cluster the keys
 * of one script or transaction must share a hash tag (`{…}`), so they sit in one slot.
 */
export type RedisClient = Redis | Cluster;

/** Where Redis is. */
export interface RedisConnectionConfig {
  /** The Redis node; with cluster nodes, only its user, password and scheme (`rediss:` is TLS) count. */
  REDIS_URL: string;
  /** Some nodes of a Redis Cluster (the others are learnt from them); none: the node of `REDIS_URL`. */
  REDIS_CLUSTER_NODES?: ReadonlyArray<{ host: string; port: number }> | undefined;
}

/** Where connection errors are logged. */
export interface RedisErrorLog {
  warn(fields: object, message: string): void;
}

// A command waits in the offline queue while the connection is down, and fails after 3 retries.
const nodeOptions: RedisOptions = { maxRetriesPerRequest: 3, enableOfflineQueue: true };

/**
 * Opens Redis: a cluster client when `REDIS_CLUSTER_NODES` is set, else one node. Auto-pipelining:
 * the commands of one turn of the event loop go out in one socket write (one per node on a cluster).
 */
export function openRedis(config: RedisConnectionConfig, logger: RedisErrorLog): RedisClient {
  const nodes = config.REDIS_CLUSTER_NODES ?? [];
  if (nodes.length === 0) {
    const redis = new Redis(config.REDIS_URL, { ...nodeOptions, enableAutoPipelining: true });
    redis.on('error', (err) => logger.warn({ err }, 'redis error'));
    return redis;
  }
  const cluster = new Cluster(
    nodes.map((n) => ({ host: n.host, port: n.port })),
    {
      scaleReads: 'master',
      enableAutoPipelining: true,
      enableOfflineQueue: true,
      redisOptions: { ...nodeOptions, ...secretsOf(config.REDIS_URL) },
    },
  );
  cluster.on('error', (err: Error) => logger.warn({ err }, 'redis error'));
  cluster.on('node error', (err: Error, node: string) => logger.warn({ err, node }, 'redis cluster node error'));
  return cluster;
}

/** The user, password and TLS of `url`: one secret serves a single node and a cluster alike. */
function secretsOf(url: string): RedisOptions {
  const u = new URL(url);
  return {
    ...(u.username ? { username: decodeURIComponent(u.username) } : {}),
    ...(u.password ? { password: decodeURIComponent(u.password) } : {}),
    ...(u.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}
