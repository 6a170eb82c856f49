import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { Bus, type MessageBus } from '@outband/bus';
import { busNames } from '@outband/contracts';
import {
  closeServer,
  createLogger,
  createMetricsRegistry,
  startOpsServer,
  type Logger,
  type ReadinessChecks,
} from '@outband/observability';
import { openRedis, RateLimiter } from '@outband/redis-limits';
import { createApp } from './app';
import { MerchantAuthenticator } from './auth/merchant-auth';
import { MerchantKeyCache } from './auth/merchant-key-cache';
import { TokenReplayGuard } from './auth/token-replay';
import type { InformationServerConfig } from './config';
import { idempotency } from './http/idempotency';
import { AuthFailureLimiter } from './operator/auth-failure-limiter';
import { busDataClient } from './rpc/data-client';

export interface InformationServerHandle {
  port: number;
  /** The port of `/metrics`, `/healthz` and `/readyz` (OPS_PORT). */
  opsPort: number;
  stop(): Promise<void>;
}

/** Composition root of the information server (patent: information server 103). */
export async function startInformationServer(
  config: InformationServerConfig,
  logger: Logger = createLogger({ service: 'information-server', level: config.LOG_LEVEL }),
  /** Stand-ins for the servers, given by the embedded default (`pnpm start` with no server URLs). */
  embedded: { bus?: MessageBus; redis?: Redis } = {},
): Promise<InformationServerHandle> {
  const names = busNames(config.BUS_PREFIX);
  const metrics = createMetricsRegistry('information-server');
  const bus: MessageBus =
    embedded.bus ??
    (await Bus.connect({
      url: config.AMQP_URL,
      names,
      queueType: config.QUEUE_TYPE,
      logger,
      connectionName: 'information-server',
    }));
  const data = busDataClient(bus, names, config.RPC_TIMEOUT_MS);
  const keys = new MerchantKeyCache((id) => data.merchantKeys(id), config.MERCHANT_KEY_CACHE_MS);
  const redis = embedded.redis ?? openRedis(config, logger);
  const limiter = new RateLimiter(redis, `${config.REDIS_PREFIX}:api`);
  const auth = new MerchantAuthenticator(
    keys,
    {
      audience: config.JWT_AUDIENCE,
      maxLifetimeSeconds: config.JWT_MAX_LIFETIME_SECONDS,
      clockSkewSeconds: config.JWT_CLOCK_SKEW_SECONDS,
      requireJti: config.JWT_REQUIRE_JTI,
    },
    new TokenReplayGuard(redis, config.REDIS_PREFIX),
  );
  const readiness: ReadinessChecks = {
    broker: () => Promise.resolve(bus.connected ? null : 'broker disconnected'),
    redis: async () => ((await redis.ping()) === 'PONG' ? null : 'redis did not answer PONG'),
  };
  const app = createApp({
    data,
    auth,
    logger,
    metrics,
    readiness,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    trustProxyHops: config.TRUST_PROXY_HOPS,
    ...(config.ADMIN_TOKENS ? { operatorTokens: config.ADMIN_TOKENS } : {}),
    operatorAuthFailures: new AuthFailureLimiter(
      redis,
      `${config.REDIS_PREFIX}:operator`,
      { limit: config.OPERATOR_AUTH_FAILURE_LIMIT, windowMs: config.OPERATOR_AUTH_FAILURE_WINDOW_SECONDS * 1000 },
      logger,
    ),
    opsMetricsUrls: config.OPS_METRICS_URLS,
    idempotency: idempotency({
      redis,
      prefix: config.REDIS_PREFIX,
      ttlSeconds: 86_400,
      waitMs: config.RPC_TIMEOUT_MS,
      pendingSeconds: config.IDEMPOTENCY_PENDING_SECONDS,
    }),
    requestLimits: {
      hit: (name, key, limit, windowMs, now) => limiter.hit(name, key, limit, windowMs, now),
      perIp: config.REQUEST_LIMIT_PER_IP,
      perMerchant: config.REQUEST_LIMIT_PER_MERCHANT,
      windowMs: config.REQUEST_LIMIT_WINDOW_SECONDS * 1000,
    },
  });
  // Metrics only here: the API port faces merchants (and the internet), Prometheus does not.
  const ops = await startOpsServer(config.OPS_PORT, config.OPS_HOST, readiness, metrics);
  const opsPort = (ops.address() as AddressInfo).port;
  const server: Server = await new Promise<Server>((resolve, reject) => {
    const s = app.listen(config.HTTP_PORT, config.HTTP_HOST, () => resolve(s));
    s.once('error', reject);
  }).catch(async (err: unknown) => {
    await closeServer(ops);
    throw err;
  });
  // Bounds on slow clients (a slow-loris must not hold sockets forever).
  server.requestTimeout = 30_000;
  server.headersTimeout = 10_000;
  const port = (server.address() as AddressInfo).port;
  logger.info({ port, opsPort }, 'information server listening');
  return {
    port,
    opsPort,
    async stop() {
      await closeServer(server);
      await closeServer(ops);
      await bus.close();
      redis.disconnect();
    },
  };
}
