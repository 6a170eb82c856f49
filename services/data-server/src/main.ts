import { closeServer, createLogger, createMetricsRegistry, type Logger } from '@outband/observability';
import { RateLimiter } from '@outband/redis-limits';
import type { DataServerConfig } from './config';
import { FailureCounter } from './abuse/failure-counter';
import { sendGuardFromConfig } from './abuse/send-guard-from-config';
import { AdminService } from './admin/admin.service';
import { AuditLog } from './audit/audit-log';
import { BillingService } from './billing/billing.service';
import { Bookings } from './billing/bookings';
import { LedgerRepository } from './billing/ledger.repository';
import { deliveryFromConfig } from './delivery/delivery-from-config';
import { consumeMessageStatus } from './delivery/message-status.consumer';
import { MerchantRepository } from './merchants/merchant.repository';
import { sealMerchantSecrets } from './merchants/seal-merchant-secrets';
import { bankFromConfig } from './payments/bank/bank-from-config';
import { paymentTransitions } from './payments/payment-events';
import { PaymentRepository } from './payments/payment.repository';
import { PaymentService } from './payments/payment.service';
import { startBackgroundRounds } from './platform/background-rounds';
import { openConnections, type EmbeddedServers } from './platform/connections';
import { dataServerMetrics } from './platform/metrics';
import { startDataOps } from './platform/ops';
import { RegisteredMessageRepository } from './registered-messages/registered-message.repository';
import { RegisteredMessageService } from './registered-messages/registered-message.service';
import { serveDataRpc } from './rpc/data-rpc.consumer';
import { SessionRepository } from './sessions/session.repository';
import { SessionService } from './sessions/session.service';
import { EnrolmentRepository } from './enrolments/enrolment.repository';
import { EnrolmentService } from './enrolments/enrolment.service';
import { factorsFromConfig } from './factors/factors-from-config';
import { SubscriberRepository } from './subscribers/subscriber.repository';
import { twilioFromConfig } from './twilio/twilio-from-config';
import { VerificationLifecycle } from './verifications/lifecycle';
import { PendingSecretStore } from './verifications/pending/pending-secret.store';
import { consumeInbound } from './verifications/reverse/inbound.consumer';
import { ReverseChannel } from './verifications/reverse/reverse-channel';
import { ReverseCodes } from './verifications/reverse/reverse-codes';
import { IssueRecords } from './verifications/start/issue-records';
import { verificationServiceFromConfig } from './verifications/verification-service-from-config';
import { VerificationRepository } from './verifications/verification.repository';
import { webhooksFromConfig } from './webhooks/webhooks-from-config';

export interface DataServerHandle {
  /** The bound ops port (`/healthz`, `/readyz`, `/metrics`). */
  opsPort: number;
  stop(): Promise<void>;
}

/** Composition root of the data server (patent: data server 105): builds the features, starts, stops. */
export async function startDataServer(
  config: DataServerConfig,
  logger: Logger = createLogger({ service: 'data-server', level: config.LOG_LEVEL }),
  embedded: EmbeddedServers = {},
): Promise<DataServerHandle> {
  const metrics = createMetricsRegistry('data-server');
  const m = dataServerMetrics(metrics);
  const { db, redis, bus, names } = await openConnections(config, logger, metrics, embedded);
  const clock = () => new Date();

  const { certificates, outbox, outbound } = deliveryFromConfig(config, db, bus, names, m, logger);
  const sendNotice = outbound.sendNotice.bind(outbound);
  const limiter = new RateLimiter(redis, config.REDIS_PREFIX);
  const merchants = new MerchantRepository(db, config.CONTENT_KEYS, logger, { maxAgeMs: config.MERCHANT_POLICY_CACHE_MS });
  await sealMerchantSecrets(merchants, config.CONTENT_KEYS?.[0]?.id, logger);
  const webhooks = webhooksFromConfig(config, db, m, logger);
  // Merchants' own identifier realms are read only where the operator keeps them.
  const realms = { merchantRealms: config.ENROLMENT_REALM === 'merchant' };
  const verifications = new VerificationRepository(db, realms);
  const subscribers = new SubscriberRepository(db, realms);
  const pending = new PendingSecretStore(redis, { prefix: config.REDIS_PREFIX });
  const ledger = new LedgerRepository(db, (e) => m.ledgerBookings.inc({ register: e.register, kind: e.kind }));
  const bookings = new Bookings({ ledger, merchants, clock });
  const sessions = new SessionService({
    sessions: new SessionRepository(db),
    subscribers,
    verifications,
    // Late-bound: the verification service needs the sessions too.
    endVerification: (v, at) => service.settle(v, 'session_closed', at, { payment: 'sweep' }),
    pending,
    bookings,
    clock,
    logger,
    idleSeconds: config.SESSION_IDLE_SECONDS,
    decoyKey: config.CODE_MAC_KEYS[0]!.key,
  });
  const reverseCodes = new ReverseCodes(redis, config.REDIS_PREFIX);
  const audit = new AuditLog(db);
  const factors = factorsFromConfig(config, db, audit, merchants);
  const failures = new FailureCounter(redis, config.REDIS_PREFIX, config.SUBSCRIBER_FAILURE_LIMIT, config.SUBSCRIBER_BLOCK_SECONDS);
  const service = verificationServiceFromConfig(
    config,
    { subscribers, verifications, certificates, pending, reverseCodes, audit, failures, storeStartedAt: embedded.ttlStoreStartedAt },
    // Every end goes through the lifecycle, built below (it settles payments).
    (v, status, payment) => lifecycle.onEnded(v, status, payment),
    {
      outbound,
      issues: new IssueRecords(audit, verifications, certificates, outbox),
      guard: sendGuardFromConfig(config, limiter, redis, m, logger),
      limiter,
      merchants,
      sessions,
      m,
      redis,
      factors: config.CONTENT_KEYS ? factors : undefined,
    },
  );
  const payments = new PaymentService({
    payments: new PaymentRepository(db, paymentTransitions(webhooks, m)),
    bookings,
    merchants,
    subscribers,
    bank: bankFromConfig(config, m, logger),
    clock,
    logger,
    startVerification: (req, correlationId, request, holder) =>
      service.start({ purpose: 'transaction', ...req }, correlationId, request, holder),
    cancelVerification: (merchantId, verificationId) => service.cancel(merchantId, verificationId),
  });
  const lifecycle = new VerificationLifecycle({ webhooks, bookings, payments });
  const registered = new RegisteredMessageService({
    messages: new RegisteredMessageRepository(db),
    subscribers,
    sendNotice,
    webhooks,
    clock,
    startVerification: (req, holder) => service.start(req, undefined, undefined, holder),
    checkVerification: (merchantId, verificationId, code, message) => service.check(merchantId, verificationId, code, { message }),
    contentKeys: config.CONTENT_KEYS,
    maxBytes: config.REGISTERED_MAX_BYTES,
    retentionSeconds: config.REGISTERED_RETENTION_SECONDS,
  });
  const { twilio, twilioEntities, twilioAttempts } = twilioFromConfig(config, db, {
    merchants,
    subscribers,
    verifications,
    factors,
    clock,
  });
  const admin = new AdminService({ db, merchants, subscribers, audit, twilio, sendNotice, clock });
  const billing = new BillingService({ ledger, merchants, subscribers });
  const enrolments = new EnrolmentService({
    enrolments: new EnrolmentRepository(db),
    subscribers,
    verifications: service,
    audit,
    sendNotice,
    clock,
    realm: config.ENROLMENT_REALM,
  });
  const features = {
    verifications: service,
    sessions,
    payments,
    billing,
    registered,
    webhooks,
    admin,
    merchants,
    twilio,
    twilioEntities,
    twilioAttempts,
    enrolments,
    factors,
  };
  await serveDataRpc({ ...features, bus, names, metrics: m, logger, callers: config.RPC_TRUSTED_USERS });
  const rounds = startBackgroundRounds(config, { webhooks, outbox, sessions, registered, payments }, logger);
  await consumeMessageStatus(bus, names, certificates, webhooks, m, config.MESSAGE_SERVER_USERS);
  const reverse = new ReverseChannel(
    { verifications, subscribers, pending, reverseCodes, failures, macKeys: config.CODE_MAC_KEYS, clock },
    service,
  );
  await consumeInbound({ bus, names, reverse, received: m.inbound, logger, publishers: config.MESSAGE_SERVER_USERS });

  const ops = await startDataOps(config, { bus, redis, db }, metrics);
  logger.info({ opsPort: ops.port }, 'data server started');
  return {
    opsPort: ops.port,
    async stop() {
      await rounds.stop();
      await outbox.flush();
      await bus.close();
      await closeServer(ops.server);
      redis.disconnect();
      if (!embedded.db) {
        await db.destroy();
      }
    },
  };
}
