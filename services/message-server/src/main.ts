import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import { Bus } from '@outband/bus';
import { busNames } from '@outband/contracts';
import { databaseReadiness, ensureDatabase, migrateLatest, openDatabase } from '@outband/db';
import { closeServer, Counter, createLogger, createMetricsRegistry, Gauge, startOpsServer, type Logger } from '@outband/observability';
import type { MessageServerConfig } from './config';
import { MessageRepository } from './adapters/message.repository';
import { messageMigrationSource, messageMigrationsTable } from './adapters/migrations';
import { consumeMessageSend } from './consumers/message-send.consumer';
import { deliverSmHandler } from './consumers/deliver-sm.handler';
import { ReceiptTracker } from './domain/receipt-tracker';
import { statusEvent, type PublishStatus } from './domain/status-publisher';
import { SmppClient } from './smpp/smpp-client';

export interface MessageServerHandle {
  opsPort: number;
  /** Resolves once the SMPP binds are up (tests, start-up scripts). */
  waitBound(timeoutMs: number): Promise<void>;
  stop(): Promise<void>;
}

/** Composition root of the message server (patent: message server 109). */
export async function startMessageServer(
  config: MessageServerConfig,
  logger: Logger = createLogger({ service: 'message-server', level: config.LOG_LEVEL }),
): Promise<MessageServerHandle> {
  const names = busNames(config.BUS_PREFIX);
  const metrics = createMetricsRegistry('message-server');
  const submits = new Counter({
    name: 'outband_smpp_submits_total',
    help: 'submit_sm outcomes',
    labelNames: ['result'],
    registers: [metrics],
  });
  const bindUp = new Gauge({ name: 'outband_smpp_binds_up', help: 'SMPP binds currently bound', registers: [metrics] });

  await ensureDatabase(config.DATABASE_URL);
  const db = openDatabase(config.DATABASE_URL);
  await migrateLatest(db, messageMigrationSource, messageMigrationsTable);
  const bus = await Bus.connect({ url: config.AMQP_URL, names, queueType: config.QUEUE_TYPE, logger, connectionName: 'message-server' });
  const repo = new MessageRepository(db);

  const publish: PublishStatus = async (status, correlationId) => {
    await bus.publish(names.eventsExchange, names.routingKeys.messageStatus, statusEvent(status, new Date()), {
      messageId: randomUUID(),
      correlationId,
    });
  };
  const receipts = new ReceiptTracker(repo, publish, logger);
  const onDeliver = deliverSmHandler(receipts, logger);
  const common = {
    url: config.SMPP_URL,
    systemId: config.SMPP_SYSTEM_ID,
    password: config.SMPP_PASSWORD,
    systemType: config.SMPP_SYSTEM_TYPE,
    enquireLinkMs: config.SMPP_ENQUIRE_LINK_MS,
    responseTimeoutMs: config.SMPP_RESPONSE_TIMEOUT_MS,
    logger,
    onDeliver,
  };
  const sender = new SmppClient({ ...common, mode: config.SMPP_BIND_MODE });
  // With a transmitter bind, receipts come in on a separate receiver bind.
  const receiver = config.SMPP_BIND_MODE === 'transmitter' ? new SmppClient({ ...common, mode: 'receiver' }) : undefined;
  const clients = receiver ? [sender, receiver] : [sender];
  clients.forEach((c) => c.start());
  const bindTimer = setInterval(() => bindUp.set(clients.filter((c) => c.isBound).length), 1000);

  await consumeMessageSend({
    bus,
    names,
    repo,
    smpp: sender,
    receipts,
    publish,
    sealKeys: config.BUS_SEAL_KEYS,
    sourceAddr: config.SMPP_SOURCE_ADDR,
    maxRetries: config.SEND_MAX_RETRIES,
    retryBaseMs: config.SEND_RETRY_BASE_MS,
    submits,
    logger,
  });

  const ops: Server = await startOpsServer(
    config.OPS_PORT,
    config.OPS_HOST,
    {
      broker: () => Promise.resolve(bus.connected ? null : 'broker disconnected'),
      mysql: () => databaseReadiness(db),
      smpp: () => Promise.resolve(sender.isBound ? null : 'no SMPP bind is up'),
    },
    metrics,
  );
  const address = ops.address();
  const opsPort = typeof address === 'object' && address ? address.port : config.OPS_PORT;
  logger.info({ opsPort, smsc: config.SMPP_URL }, 'message server started');

  return {
    opsPort,
    waitBound: async (timeoutMs) => {
      await Promise.all(clients.map((c) => c.waitBound(timeoutMs)));
    },
    async stop() {
      clearInterval(bindTimer);
      await bus.close();
      await Promise.all(clients.map((c) => c.stop()));
      await closeServer(ops);
      await db.destroy();
    },
  };
}
