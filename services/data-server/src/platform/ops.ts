import type { Redis } from 'ioredis';
import type { MessageBus } from '@outband/bus';
import { databaseReadiness, type Knex } from '@outband/db';
import { startOpsServer, type Registry } from '@outband/observability';
import type { Server } from 'node:http';
import type { DataServerConfig } from '../config';

/** `/healthz`, `/readyz` (broker, Redis and MySQL each answer) and `/metrics`; answers the bound port too. */
export async function startDataOps(
  config: DataServerConfig,
  servers: { bus: Pick<MessageBus, 'connected'>; redis: Pick<Redis, 'ping'>; db: Knex },
  metrics: Registry,
): Promise<{ server: Server; port: number }> {
  const { bus, redis, db } = servers;
  const server = await startOpsServer(
    config.OPS_PORT,
    config.OPS_HOST,
    {
      broker: () => Promise.resolve(bus.connected ? null : 'broker disconnected'),
      redis: async () => ((await redis.ping()) === 'PONG' ? null : 'redis did not answer PONG'),
      mysql: () => databaseReadiness(db),
    },
    metrics,
  );
  const address = server.address();
  return { server, port: typeof address === 'object' && address ? address.port : config.OPS_PORT };
}
