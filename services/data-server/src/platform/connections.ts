import type { Redis } from 'ioredis';
import { Bus, MemoryBus, registerQueueMetrics, type MessageBus } from '@outband/bus';
import { busNames, type BusNames } from '@outband/contracts';
import { ensureDatabase, migrateLatest, openDatabase, waitForMigrations, type Knex } from '@outband/db';
import { openRedis, type RedisClient } from '@outband/redis-limits';
import type { Logger, Registry } from '@outband/observability';
import type { DataServerConfig } from '../config';
import { dataMigrationSource, dataMigrationsTable } from './migrations';

/**
 * Stand-ins for the servers, given by the embedded default (`pnpm start` with no server URLs);
 * `ttlStoreStartedAt`: when the in-memory TTL store started, empty (pending codes sent before
 * were lost with the previous process).
 */
export interface EmbeddedServers {
  bus?: MessageBus;
  redis?: Redis;
  db?: Knex;
  ttlStoreStartedAt?: Date;
}

export interface Connections {
  db: Knex;
  redis: RedisClient;
  bus: MessageBus;
  names: BusNames;
}

/** Opens MySQL (migrated), Redis and the broker, or takes the embedded default's stand-ins. */
export async function openConnections(
  config: DataServerConfig,
  logger: Logger,
  metrics: Registry,
  embedded: EmbeddedServers,
): Promise<Connections> {
  const names = busNames(config.BUS_PREFIX);
  // The embedded default shares one SQLite connection between the services of its process.
  if (!embedded.db) {
    await ensureDatabase(config.DATABASE_URL);
  }
  const db = embedded.db ?? openDatabase(config.DATABASE_URL);
  if (config.MIGRATE_ON_START || embedded.db) {
    const applied = await migrateLatest(db, dataMigrationSource, dataMigrationsTable, logger);
    if (applied.length > 0) {
      logger.info({ migrations: applied }, 'migrations applied');
    }
  } else {
    await waitForMigrations(db, dataMigrationSource, dataMigrationsTable, logger);
  }
  const redis = embedded.redis ?? openRedis(config, logger);
  const bus =
    embedded.bus ??
    (await Bus.connect({ url: config.AMQP_URL, names, queueType: config.QUEUE_TYPE, logger, connectionName: 'data-server' }));
  // RabbitMQ's queues, or the in-process broker's of the embedded default: the same metrics.
  if (bus instanceof Bus || bus instanceof MemoryBus) {
    registerQueueMetrics(bus, metrics, {
      queues: [names.dataRpcQueue, names.messageStatusQueue, names.inboundQueue],
      prefix: config.BUS_PREFIX,
      managementUrl: config.RABBITMQ_MANAGEMENT_URL,
    });
  }
  return { db, redis, bus, names };
}
