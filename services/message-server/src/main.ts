import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { Bus, MemoryBus, registerQueueMetrics, type MessageBus } from '@outband/bus';
import { busNames } from '@outband/contracts';
import { databaseReadiness, ensureDatabase, migrateLatest, openDatabase, type Knex } from '@outband/db';
import { closeServer, Counter, createLogger, createMetricsRegistry, Gauge, startOpsServer, type Logger } from '@outband/observability';
import type { MessageServerConfig } from './config';
import { MessageRepository } from './adapters/message.repository';
import { messageMigrationSource, messageMigrationsTable } from './adapters/migrations';
import { SubmitRepository } from './adapters/submit.repository';
import { consumeMessageSend } from './consumers/message-send.consumer';
import { deliverSmHandler } from './consumers/deliver-sm.handler';
import { ReceiptTracker } from './domain/receipt-tracker';
import { statusEvent, type PublishStatus } from './domain/status-publisher';
import { BindPool } from './smpp/bind-pool';

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
  const outcomes = new Counter({
    name: 'outband_messages_total',
    help: 'Messages by outcome of a delivery try',
    labelNames: ['result'],
    registers: [metrics],
  });
  const throttles = new Counter({
    name: 'outband_smpp_throttled_total',
    help: 'Throttling answers by SMSC',
    labelNames: ['smsc'],
    registers: [metrics],
  });
  const receiptStates = new Counter({
    name: 'outband_receipts_total',
    help: 'Delivery receipts received, by the state they tell (delivered, failed, expired, intermediate)',
    labelNames: ['state'],
    registers: [metrics],
  });
  const submitTries = new Counter({
    name: 'outband_submits_total',
    help: 'submit_sm tries by route and SMSC answer (ok, or the command status such as ESME_RTHROTTLED)',
    labelNames: ['route', 'status'],
    registers: [metrics],
  });

  if (!embedded.db) {
    await ensureDatabase(config.DATABASE_URL);
  }
  // Enough connections for every handler a full prefetch can run at once.
  const db = embedded.db ?? openDatabase(config.DATABASE_URL, { min: 0, max: 20 });
  await migrateLatest(db, messageMigrationSource, messageMigrationsTable);
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

  const publish: PublishStatus = async (status, correlationId) => {
    await bus.publish(names.eventsExchange, names.routingKeys.messageStatus, statusEvent(status, new Date()), {
      messageId: randomUUID(),
      correlationId,
    });
  };
  const receipts = new ReceiptTracker(submits, publish, logger);
  const publishInbound = (message: Parameters<Parameters<typeof deliverSmHandler>[0]['publishInbound']>[0]) =>
    bus.publish(names.eventsExchange, names.routingKeys.messageInbound, message, { messageId: message.inboundId });
  const pools = new Map(
    config.routing.connections.map((c) => [
      c.id,
      new BindPool(c, {
        logger,
        onDeliver: deliverSmHandler({ receipts, publishInbound, logger, onReceiptState: (state) => receiptStates.inc({ state }) }, c.id),
        onThrottle: (smsc) => throttles.inc({ smsc }),
      }),
    ]),
  );
  pools.forEach((p) => p.start());
  // Read when Prometheus scrapes: always the state of now.
  new Gauge({
    name: 'outband_smpp_binds_up',
    help: 'SMPP binds up, by SMSC connection',
    labelNames: ['smsc'],
    registers: [metrics],
    collect() {
      pools.forEach((p, id) => this.set({ smsc: id }, p.up));
    },
  });
  new Gauge({
    name: 'outband_smpp_window_in_flight',
    help: 'Unanswered submit_sm, by SMSC connection and bind (0, 1, …)',
    labelNames: ['smsc', 'bind'],
    registers: [metrics],
    collect() {
      pools.forEach((p, id) => p.inFlight.forEach((n, bind) => this.set({ smsc: id, bind: String(bind) }, n)));
    },
  });

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
    outcomes,
    submitsByRoute: submitTries,
    logger,
  });

  const ops: Server = await startOpsServer(
    config.OPS_PORT,
    config.OPS_HOST,
    {
      broker: () => Promise.resolve(bus.connected ? null : 'broker disconnected'),
      mysql: () => databaseReadiness(db),
      smpp: () => Promise.resolve([...pools.values()].some((p) => p.up > 0) ? null : 'no SMPP bind is up'),
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
      // queue); unbind while the bus still carries what receipts report; then close the bus.
      await bus.stopConsuming();
      await Promise.all([...pools.values()].map((p) => p.stop()));
      await bus.close();
      await closeServer(ops);
      if (!embedded.db) {
        await db.destroy();
      }
    },
  };
}
