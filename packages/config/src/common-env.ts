import { z } from 'zod';
import { splitBrokerUrls } from './broker-urls';
import { envBool, envInt, envUrl } from './env-types';

/**
 * One amqp or amqps URL, or the nodes of a cluster comma-separated, each with its scheme, all
 * with one user and vhost (the bus stamps one broker user on what it publishes).
 */
const envAmqpUrls = z.string().superRefine((value, ctx) => {
  const split = splitBrokerUrls(value);
  if ('error' in split) {
    ctx.addIssue({ code: 'custom', message: split.error });
  }
});

/** The bus settings every service reads. */
export const busEnv = {
  /**
   * RabbitMQ, the bus between the three servers: its URL, or the URLs of a cluster's nodes,
   * comma-separated (`amqp://u:p@rabbit-1/outband,amqp://u:p@rabbit-2/outband`), one user and
   * vhost for all. A service connects to one node, starting from a random one, and moves on to
   * the next when that node goes away; with a cluster, set `QUEUE_TYPE=quorum`.
   */
  AMQP_URL: envAmqpUrls.default('amqp://guest:guest@127.0.0.1:5672'),
  /** Prefix of every exchange and queue, so deployments (and test runs) can share a broker. */
  BUS_PREFIX: z
    .string()
    .regex(/^[a-z0-9_.-]+$/)
    .default('outband'),
  /** The RabbitMQ queue type of every queue: `classic`, or `quorum` (replicated across a cluster). */
  QUEUE_TYPE: z.enum(['classic', 'quorum']).default('classic'),
  /** RabbitMQ's management API (`http://user:password@host:15672/`): unacked counts and rates in the queue metrics; without it, passive declares give ready messages and consumers. */
  RABBITMQ_MANAGEMENT_URL: envUrl('http', 'https').optional(),
};

export const redisEnv = {
  /** Redis: pending secrets, limits, token ids. */
  REDIS_URL: envUrl('redis', 'rediss').default('redis://127.0.0.1:6379'),
  /** Redis Cluster nodes, `host:port,…` (a few: the others are learnt), instead of the node of `REDIS_URL`, which still gives the user, password and TLS (`rediss:`). */
  REDIS_CLUSTER_NODES: z
    .string()
    .transform((value, ctx) => {
      const nodes = value
        .split(',')
        .map((n) => n.trim())
        .filter(Boolean)
        .map((n) => /^(\[[0-9A-Fa-f:.]+\]|[^\s:[\]]+):(\d{1,5})$/.exec(n));
      if (nodes.length === 0 || nodes.some((m) => !m || Number(m[2]) < 1 || Number(m[2]) > 65535)) {
        ctx.addIssue({ code: 'custom', message: 'must be host:port pairs, comma-separated' });
        return z.NEVER;
      }
      return nodes.map((m) => ({ host: (m?.[1] ?? '').replace(/^\[|\]$/g, ''), port: Number(m?.[2]) }));
    })
    .optional(),
  /** Prefix of every Redis key, so several deployments can share one Redis. */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.-]+$/)
    .default('outband'),
};

export const databaseEnv = {
  /** MySQL/MariaDB (the database is created if missing); `sqlite:path/to/file.db` is the embedded default's database (one process only). */
  DATABASE_URL: envUrl('mysql', 'sqlite').default('mysql://root@127.0.0.1:3306/outband'),
  /**
   * Whether the server runs its pending migrations as it starts (one replica at a time), or waits
   * until a migration step (`outband migrate`, a Kubernetes Job) has run them: `false` in Kubernetes.
   */
  MIGRATE_ON_START: envBool.default(true),
};

/** `/healthz`, `/readyz` and `/metrics` of a service without an HTTP API of its own. */
export function opsEnv(defaultPort: number) {
  return {
    /** `/healthz`, `/readyz` and `/metrics` (information 9101, data 9102, message 9103). */
    OPS_PORT: envInt(0, 65535).default(defaultPort),
    /** The address the ops port listens on. */
    OPS_HOST: z.string().default('0.0.0.0'),
  };
}

export const logEnv = {
  /** pino log level. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  /** On SIGTERM: how long in-flight work may take to finish (binds closed, messages acknowledged) before the process exits anyway. */
  SHUTDOWN_DEADLINE_MS: envInt(1000, 600_000).default(15_000),
};
