import { Redis } from 'ioredis';
import type { Server } from 'node:http';
import { Bus, MemoryBus, registerQueueMetrics, type MessageBus } from '@outband/bus';
import { busNames } from '@outband/contracts';
import { databaseReadiness, ensureDatabase, migrateLatest, openDatabase, type Knex } from '@outband/db';
import { closeServer, createLogger, createMetricsRegistry, startOpsServer, type Logger } from '@outband/observability';
import type { DataServerConfig } from './config';
import { CertificateRepository } from './delivery/certificate.repository';
import { CertificateIssuer } from './delivery/certificate-issuer';
import { MessageOutbox } from './delivery/message-outbox';
import { MerchantRepository } from './merchants/merchant.repository';
import { dataMigrationSource, dataMigrationsTable } from './platform/migrations';
import { PendingSecretStore } from './verifications/pending/pending-secret.store';
import { RateLimiter } from '@outband/redis-limits';
import { FailureCounter } from './abuse/failure-counter';
import { AuditLog } from './audit/audit-log';
import { VerificationRepository } from './verifications/verification.repository';
import { RangeBlocks } from './abuse/range-blocks';
import { WebhookRepository } from './webhooks/webhook.repository';
import { WebhookService } from './webhooks/webhook.service';
import { WebhookSender } from './webhooks/webhook-sender';
import { AdminService } from './admin/admin.service';
import { RegisteredMessageRepository } from './registered-messages/registered-message.repository';
import { RegisteredMessageService } from './registered-messages/registered-message.service';
import { SubscriberRepository } from './subscribers/subscriber.repository';
import { ReverseCodes } from './verifications/reverse/reverse-codes';
import { SessionRepository } from './sessions/session.repository';
import { SessionService } from './sessions/session.service';
import { ReverseChannel } from './verifications/reverse/reverse-channel';
import { SendGuard } from './abuse/send-guard';
import { HttpBankAuthorizer } from './payments/bank/http-bank-authorizer';
import { LedgerRepository } from './billing/ledger.repository';
import { PaymentRepository } from './payments/payment.repository';
import { BillingService } from './billing/billing.service';
import { PaymentService } from './payments/payment.service';
import { serveDataRpc } from './rpc/data-rpc.consumer';
import { consumeMessageStatus } from './delivery/message-status.consumer';
import { consumeInbound } from './verifications/reverse/inbound.consumer';
import { OutboundMessages } from './delivery/outbound-messages';
import { merchantLimit } from './abuse/merchant-limit';
import { reverseNumberFor } from './verifications/reverse/reverse-number';
import { paymentWebhook } from './payments/payment-events';
import { sealMerchantSecrets } from './merchants/seal-merchant-secrets';
import { VerificationLifecycle } from './verifications/lifecycle';
import { parseOcraSuite } from './verifications/codes/ocra';
import { dataServerMetrics } from './platform/metrics';
import { everyMs } from './platform/rounds';
import { VerificationService } from './verifications/verification.service';
import { TwilioAccounts } from './twilio/twilio-accounts';
import { TwilioRepository } from './twilio/twilio.repository';

export interface DataServerHandle {
  /** The bound ops port (`/healthz`, `/readyz`, `/metrics`). */
  opsPort: number;
  stop(): Promise<void>;
}

/** Composition root of the data server (patent: data server 105). */
export async function startDataServer(
  config: DataServerConfig,
  logger: Logger = createLogger({ service: 'data-server', level: config.LOG_LEVEL }),
  /**
   * Stand-ins for the servers, given by the embedded default (`pnpm start` with no server URLs);
   * `ttlStoreStartedAt`: when the in-memory TTL store started, empty (pending codes sent before
   * were lost with the previous process).
   */
  embedded: { bus?: MessageBus; redis?: Redis; db?: Knex; ttlStoreStartedAt?: Date } = {},
): Promise<DataServerHandle> {
  const suite = parseOcraSuite(config.CODE_SUITE);
  const names = busNames(config.BUS_PREFIX);
  const metrics = createMetricsRegistry('data-server');
  const m = dataServerMetrics(metrics);

  // The embedded default shares one SQLite connection between the services of its process.
  if (!embedded.db) {
    await ensureDatabase(config.DATABASE_URL);
  }
  const db = embedded.db ?? openDatabase(config.DATABASE_URL);
  const applied = await migrateLatest(db, dataMigrationSource, dataMigrationsTable);
  if (applied.length > 0) {
    logger.info({ migrations: applied }, 'migrations applied');
  }
  // Auto-pipelining: the commands of one turn of the event loop go out in one socket write.
  const redis =
    embedded.redis ?? new Redis(config.REDIS_URL, { maxRetriesPerRequest: 3, enableOfflineQueue: true, enableAutoPipelining: true });
  redis.on('error', (err) => logger.warn({ err }, 'redis error'));
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

  const certificates = new CertificateRepository(db);
  const outbox = new MessageOutbox(db, {
    publish: (o) =>
      bus.publish(names.eventsExchange, names.routingKeys.messageSend, o.body, { messageId: o.messageId, correlationId: o.correlationId }),
    relayAfterMs: config.OUTBOX_RELAY_AFTER_MS,
    clock: () => new Date(),
    logger,
    onRelay: (outcome) => m.outboxRelayed.inc({ outcome }),
  });
  const issuer = new CertificateIssuer(db, certificates, outbox);
  const limiter = new RateLimiter(redis, config.REDIS_PREFIX);
  const merchants = new MerchantRepository(db, config.CONTENT_KEYS, logger);
  await sealMerchantSecrets(merchants, config.CONTENT_KEYS?.[0]?.id, logger);
  const guard = new SendGuard({
    hit: (name, key, limit, windowMs, now) => limiter.hit(name, key, limit, windowMs, now),
    blocks: new RangeBlocks(redis, config.REDIS_PREFIX),
    countryLimit: config.COUNTRY_LIMIT,
    countryWindowSeconds: config.COUNTRY_WINDOW_SECONDS,
    rangeLimit: config.RANGE_LIMIT,
    rangeWindowSeconds: config.RANGE_WINDOW_SECONDS,
    rangeBlockSeconds: config.RANGE_BLOCK_SECONDS,
    rangeBlockScope: config.RANGE_BLOCK_SCOPE,
    rangeAlertLimit: config.RANGE_ALERT_LIMIT,
    onRefusal: (reason) => m.sendRefusals.inc({ reason }),
    onAlert: (kind) => m.abuseAlerts.inc({ kind }),
    logger,
  });
  const outbound = new OutboundMessages({ issuer, outbox, busKeys: config.BUS_SEAL_KEYS });
  const sendNotice = outbound.sendNotice.bind(outbound);
  const destinations = { allowHttp: config.WEBHOOK_ALLOW_HTTP, allowedHosts: config.WEBHOOK_ALLOWED_HOSTS };
  const sender = new WebhookSender({ policy: destinations, timeoutMs: config.WEBHOOK_TIMEOUT_MS });
  const webhooks = new WebhookService({
    repo: new WebhookRepository(db),
    keys: config.CONTENT_KEYS,
    retryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
    giveUpMs: config.WEBHOOK_GIVE_UP_SECONDS * 1000,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    destinations,
    maxEndpoints: config.WEBHOOK_MAX_ENDPOINTS_PER_MERCHANT,
    concurrency: { total: config.WEBHOOK_CONCURRENCY, perMerchant: config.WEBHOOK_CONCURRENCY_PER_MERCHANT },
    send: (url, headers, body) => sender.post(url, headers, body),
    clock: () => new Date(),
    logger,
    onAttempt: (outcome, lagSeconds) => {
      m.webhookAttempts.inc({ outcome });
      if (outcome === 'delivered') {
        m.webhookLagSeconds.observe(lagSeconds);
      }
    },
  });
  const emit = (merchantId: string, type: string, eventKey: string, data: object) => webhooks.emit(merchantId, type, eventKey, data);
  const verifications = new VerificationRepository(db);
  const subscribers = new SubscriberRepository(db);
  const pending = new PendingSecretStore(redis, { prefix: config.REDIS_PREFIX });
  const ledger = new LedgerRepository(db, (e) => m.ledgerBookings.inc({ register: e.register, kind: e.kind }));
  const sessions = new SessionService({
    sessions: new SessionRepository(db),
    subscribers,
    verifications,
    certificates,
    pending,
    ledger,
    merchants,
    clock: () => new Date(),
    idleSeconds: config.SESSION_IDLE_SECONDS,
    decoyKey: config.CODE_MAC_KEYS[0]!.key,
    logger,
  });
  const reverseCodes = new ReverseCodes(redis, config.REDIS_PREFIX);
  const audit = new AuditLog(db);
  const failures = new FailureCounter(redis, config.REDIS_PREFIX, config.SUBSCRIBER_FAILURE_LIMIT, config.SUBSCRIBER_BLOCK_SECONDS);
  const service = new VerificationService({
    subscribers,
    verifications,
    certificates,
    pending,
    reverseCodes,
    reverseNumberFor: reverseNumberFor(config.REVERSE_NUMBERS),
    requireSession: (merchantId, sessionId, holder) => sessions.requireOpen(merchantId, sessionId, holder),
    issueMessage: (certificate, message, code, bound, correlationId) =>
      outbound.issueCode(certificate, message, code, bound, correlationId),
    sendNotice,
    emit,
    blocksBeforePermanent: config.SUBSCRIBER_BLOCKS_BEFORE_PERMANENT,
    audit,
    failures,
    admitSend: (merchantId, address, allowedCountries) => guard.admit(merchantId, address, allowedCountries),
    countSend: (merchantId, address, now) => guard.count(merchantId, address, now),
    merchantLimit: merchantLimit(limiter, { perSecond: config.MERCHANT_LIMIT_PER_SECOND, perDay: config.MERCHANT_LIMIT_PER_DAY }),
    policyOf: (merchantId) => merchants.policy(merchantId),
    sendLimit: (address, now) => limiter.hit('sends', address, config.SEND_LIMIT_PER_ADDRESS, config.SEND_LIMIT_WINDOW_SECONDS * 1000, now),
    clock: () => new Date(),
    codeKeys: config.CODE_KEYS,
    macKeys: config.CODE_MAC_KEYS,
    suite,
    ttlSeconds: config.CODE_TTL_SECONDS,
    decoyCountry: config.DECOY_COUNTRY,
    onFinished: (v, status) => m.finished.inc({ purpose: v.purpose, channel: v.channel ?? 'sms', status }),
    maxAttempts: config.MAX_CHECK_ATTEMPTS,
    maxSends: config.MAX_SENDS_PER_VERIFICATION,
    resendCooldownSeconds: config.RESEND_COOLDOWN_SECONDS,
    ...(embedded.ttlStoreStartedAt ? { storeStartedAt: embedded.ttlStoreStartedAt } : {}),
  });

  const bank = config.BANK_URL
    ? new HttpBankAuthorizer({
        url: config.BANK_URL.replace(/\/+$/, ''),
        timeoutMs: config.BANK_TIMEOUT_MS,
        attempts: config.BANK_ATTEMPTS,
        breakerThreshold: config.BANK_BREAKER_THRESHOLD,
        breakerOpenMs: config.BANK_BREAKER_OPEN_MS,
        logger,
        observe: (operation, outcome, seconds) => m.bankCalls.observe({ operation, outcome }, seconds),
      })
    : undefined;
  const paymentWebhooks = paymentWebhook(webhooks);
  const payments = new PaymentService({
    payments: new PaymentRepository(db, async (t) => {
      m.paymentStates.inc({ state: t.to });
      await paymentWebhooks(t);
    }),
    ledger,
    merchants,
    subscribers,
    verifications,
    bank,
    startVerification: (req, correlationId, request) => service.start({ purpose: 'transaction', ...req }, correlationId, request),
    cancelVerification: async (merchantId, verificationId) => {
      await service
        .cancel(merchantId, verificationId)
        .catch((e: unknown) => logger.warn({ err: e, verificationId }, 'abandoned payment: its verification was already closed'));
    },
    clock: () => new Date(),
    logger,
  });
  const billing = new BillingService({ ledger, merchants, subscribers });

  const lifecycle = new VerificationLifecycle({ verifications: service, payments });
  const registered = new RegisteredMessageService({
    messages: new RegisteredMessageRepository(db),
    subscribers,
    startVerification: (req) => service.start(req),
    checkVerification: async (merchantId, verificationId, code, message) =>
      (await lifecycle.check(merchantId, verificationId, code, { message })).result,
    sendNotice,
    emit,
    contentKeys: config.CONTENT_KEYS,
    maxBytes: config.REGISTERED_MAX_BYTES,
    retentionSeconds: config.REGISTERED_RETENTION_SECONDS,
    clock: () => new Date(),
  });

  const twilio = new TwilioAccounts({ repo: new TwilioRepository(db), merchants, clock: () => new Date(), suiteDigits: suite.digits });
  const admin = new AdminService({ db, merchants, subscribers, audit, twilio, sendNotice, clock: () => new Date() });
  await serveDataRpc({
    lifecycle,
    bus,
    names,
    verifications: service,
    sessions,
    payments,
    billing,
    registered,
    webhooks,
    admin,
    merchants,
    twilio,
    metrics: m,
    logger,
    callers: config.RPC_TRUSTED_USERS,
  });
  // The webhook outbox is sent from here.
  const webhookRounds = everyMs(
    config.WEBHOOK_POLL_MS,
    () => webhooks.deliverDue(),
    (err) => logger.warn({ err }, 'webhook round failed'),
  );
  // Messages whose first publish failed (broker away, a crash after the commit) go from here.
  const relayRounds = everyMs(
    config.OUTBOX_POLL_MS,
    () => outbox.relay(),
    (err) => logger.warn({ err }, 'outbox relay round failed'),
  );
  // Unfinished payments (a crash, a lost bank answer, a verification that ran out) are finished here.
  // Sessions first: the payments of codes that died with a session are then finished too.
  const sweepRounds = everyMs(
    config.PAYMENT_SWEEP_SECONDS * 1000,
    async () => {
      await sessions.sweep();
      await registered.sweep();
      await payments.sweep(config.PAYMENT_GRACE_SECONDS * 1000);
    },
    (err) => logger.warn({ err }, 'payment sweep failed'),
  );
  await consumeMessageStatus(bus, names, certificates, emit, m, config.MESSAGE_SERVER_USERS);
  const reverse = new ReverseChannel(
    { verifications, subscribers, pending, reverseCodes, failures, macKeys: config.CODE_MAC_KEYS, clock: () => new Date() },
    service,
  );
  await consumeInbound({ bus, names, reverse, lifecycle, received: m.inbound, logger, publishers: config.MESSAGE_SERVER_USERS });

  const ops: Server = await startOpsServer(
    config.OPS_PORT,
    config.OPS_HOST,
    {
      broker: () => Promise.resolve(bus.connected ? null : 'broker disconnected'),
      redis: async () => ((await redis.ping()) === 'PONG' ? null : 'redis did not answer PONG'),
      mysql: () => databaseReadiness(db),
    },
    metrics,
  );
  const address = ops.address();
  logger.info({ opsPort: typeof address === 'object' && address ? address.port : config.OPS_PORT }, 'data server started');

  return {
    opsPort: typeof address === 'object' && address ? address.port : config.OPS_PORT,
    async stop() {
      await Promise.all([sweepRounds.stop(), webhookRounds.stop().then(() => webhooks.idle()), relayRounds.stop()]);
      await outbox.flush();
      await bus.close();
      await closeServer(ops);
      redis.disconnect();
      if (!embedded.db) {
        await db.destroy();
      }
    },
  };
}
