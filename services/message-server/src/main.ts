import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { Bus, MemoryBus, registerQueueMetrics, type MessageBus } from '@outband/bus';
import { busNames } from '@outband/contracts';
import { databaseReadiness, ensureDatabase, migrateLatest, openDatabase, waitForMigrations, type Knex } from '@outband/db';
import { closeServer, createLogger, createMetricsRegistry, startOpsServer, type Logger } from '@outband/observability';
import type { MessageServerConfig } from './config';
import { messageServerMetrics } from './platform/metrics';
import { messageMigrationSource, messageMigrationsTable } from './platform/migrations';
import { deliverSmHandler } from './receipts/deliver-sm.handler';
import { ReceiptTracker } from './receipts/receipt-tracker';
import { statusPublisher } from './receipts/status-publisher';
import { SubmitRepository } from './receipts/submit.repository';
import { consumeMessageSend } from './sending/message-send.consumer';
import { MessageRepository } from './sending/message.repository';
import { SpareGate } from './sending/spare-gate';
import type { BindPool } from './smpp/bind-pool';
import { openBindPool, sharedAccounts } from './smpp/open-bind-pool';

export interface MessageServerHandle {
  opsPort: number;
  /** Resolves once every bind of every connection is up (tests, start-up scripts). */
  waitBound(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

/** Composition root of the message server (patent: message server 109). */
export async function startMessageServer(
  config: MessageServerConfig,
  logger: Logger = createLogger({ service: 'message-server', level: config.LOG_LEVEL }),
  /** Stand-ins for the servers, given by the embedded default (`pnpm start` with no server URLs). */
  embedded: { bus?: MessageBus; db?: Knex } = {},
): Promise<MessageServerHandle> {
  const names = busNames(config.BUS_PREFIX);
  const metrics = createMetricsRegistry('message-server');
  // One bind pool per SMSC connection, filled below; the bind gauges read it at each scrape.
  const pools = new Map<string, BindPool>();
  const m = messageServerMetrics(metrics, pools);

  if (!embedded.db) {
    await ensureDatabase(config.DATABASE_URL);
  }
  // Enough connections for every handler a full prefetch can run at once.
  const db = embedded.db ?? openDatabase(config.DATABASE_URL, { min: 0, max: 20 });
  if (config.MIGRATE_ON_START || embedded.db) {
    await migrateLatest(db, messageMigrationSource, messageMigrationsTable, logger);
  } else {
    await waitForMigrations(db, messageMigrationSource, messageMigrationsTable, logger);
  }
  const bus =
    embedded.bus ??
    (await Bus.connect({ url: config.AMQP_URL, names, queueType: config.QUEUE_TYPE, logger, connectionName: 'message-server' }));
  // RabbitMQ's queues, or the in-process broker's of the embedded default: the same metrics.
  if (bus instanceof Bus || bus instanceof MemoryBus) {
    registerQueueMetrics(bus, metrics, {
      queues: [names.messageSendQueue],
      prefix: config.BUS_PREFIX,
      managementUrl: config.RABBITMQ_MANAGEMENT_URL,
    });
  }
  const messages = new MessageRepository(db);
  const submits = new SubmitRepository(db);

  const publish = statusPublisher(config.MESSAGE_STATUS_VERSION, (body, correlationId) =>
    bus.publish(names.eventsExchange, names.routingKeys.messageStatus, body, { messageId: randomUUID(), correlationId }),
  );
  const receipts = new ReceiptTracker(submits, publish, logger, {
    onGivenUp: (smsc, outcome) => m.receiptsGivenUp.inc({ smsc, outcome }),
  });
  const publishInbound = (message: Parameters<Parameters<typeof deliverSmHandler>[0]['publishInbound']>[0]) =>
    bus.publish(names.eventsExchange, names.routingKeys.messageInbound, message, { messageId: message.inboundId });
  // With Redis, replicas lease each account's binds and share its rate; without, this server is alone.
  const shared = sharedAccounts(config, logger);
  const gate = new SpareGate(bus, pools, logger);
  for (const c of config.routing.connections) {
    const onDeliver = deliverSmHandler(
      { receipts, publishInbound, logger, onReceiptState: (state) => m.receiptStates.inc({ state }) },
      c.id,
    );
    const onThrottle = (smsc: string) => m.throttles.inc({ smsc });
    pools.set(c.id, openBindPool(c, { logger, onDeliver, onThrottle, onBindsChange: () => gate.check() }, shared));
  }
  pools.forEach((p) => p.start());

  // Enough unacked messages to keep every window full while the next ones are claimed in
  // batches, but no more than about two seconds of a bind's contracted rate, so none waits for a
  // bind longer than its response timeout.
  const capacity = config.routing.connections.reduce(
    (n, c) => n + c.binds * Math.max(1, Math.min(c.window * 4, Math.ceil(c.maxSubmitsPerSecond * 2))),
    0,
  );
  await consumeMessageSend({
    bus,
    names,
    messages,
    submits,
    routes: config.routing.routes,
    pools,
    receipts,
    publish,
    sealKeys: config.BUS_SEAL_KEYS,
    maxRetries: config.SEND_MAX_RETRIES,
    retryBaseMs: config.SEND_RETRY_BASE_MS,
    prefetch: Math.min(1000, Math.max(16, capacity)),
    publishers: config.DATA_SERVER_USERS,
    outcomes: m.outcomes,
    submitsByRoute: m.submitTries,
    logger,
  });
  gate.start();

  const ops: Server = await startOpsServer(
    config.OPS_PORT,
    config.OPS_HOST,
    {
      broker: () => Promise.resolve(bus.connected ? null : 'broker disconnected'),
      mysql: () => databaseReadiness(db),
      // A spare replica (more replicas than the account's binds) is ready: a rollout surges one.
      smpp: () =>
        Promise.resolve(
          [...pools.values()].some((p) => p.up > 0) || [...pools.values()].every((p) => p.spare) ? null : 'no SMPP bind is up',
        ),
    },
    metrics,
  );
  const address = ops.address();
  const opsPort = typeof address === 'object' && address ? address.port : config.OPS_PORT;
  logger.info({ opsPort, connections: [...pools.keys()] }, 'message server started');

  return {
    opsPort,
    waitBound: async (timeoutMs) => {
      await Promise.all([...pools.values()].map((p) => p.waitBound(timeoutMs)));
    },
    async stop() {
      // Stop taking messages and let in-flight submits finish (unconfirmed ones go back to the
      // queue); unbind while the bus still carries what receipts report; stop looking up the
      // submits of receipts still held (unanswered, the SMSC sends them again); then close the bus.
      gate.stop();
      await bus.stopConsuming();
      await Promise.all([...pools.values()].map((p) => p.stop()));
      receipts.stop();
      await shared?.redis.quit().catch(() => undefined);
      await bus.close();
      await closeServer(ops);
      if (!embedded.db) {
        await db.destroy();
      }
    },
  };
}
