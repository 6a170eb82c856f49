import { AppError } from '@outband/errors';
import { dataRpcRequest, type BusNames, type CheckResult, type DataRpcRequest, type WebhookActionV1 } from '@outband/contracts';
import type { DeliveryContext, MessageBus } from '@outband/bus';
import type { MerchantRepository } from '../merchants/merchant.repository';
import type { BillingService } from '../billing/billing.service';
import type { PaymentService } from '../payments/payment.service';
import type { RegisteredMessageService } from '../registered-messages/registered-message.service';
import type { SessionService } from '../sessions/session.service';
import type { EnrolmentService } from '../enrolments/enrolment.service';
import type { FactorService } from '../factors/factor.service';
import type { WebhookService } from '../webhooks/webhook.service';
import type { AdminService } from '../admin/admin.service';
import type { VerificationService } from '../verifications/verification.service';
import type { TwilioAccounts } from '../twilio/twilio-accounts';
import type { TwilioEntities } from '../twilio/twilio-entities';
import type { VerificationAttempts } from '../twilio/verification-attempts';
import type { DataServerMetrics } from '../platform/metrics';
import { asOutage } from '../platform/outage';
import type { BusRequest } from '../verifications/bus-request';
import type { Logger } from '@outband/observability';

export interface DataRpcDeps {
  bus: MessageBus;
  names: BusNames;
  verifications: VerificationService;
  payments: PaymentService;
  sessions: SessionService;
  enrolments: EnrolmentService;
  factors: FactorService;
  registered: RegisteredMessageService;
  webhooks: WebhookService;
  admin: AdminService;
  billing: BillingService;
  merchants: MerchantRepository;
  twilio: TwilioAccounts;
  twilioEntities: TwilioEntities;
  twilioAttempts: VerificationAttempts;
  metrics: Pick<DataServerMetrics, 'started' | 'checks' | 'checkSeconds'>;
  logger: Logger;
  /**
   * Broker users whose requests are served: the information server's. Every request is guarded,
   * not only those returning secrets: each either returns one (merchant keys, webhook secrets, a
   * reverse code), changes one (admin actions) or is an oracle (a code or a Twilio password).
   */
  callers?: readonly string[];
}

/** Answers the information server's requests (verifications, payments, billing, merchant keys). */
export async function serveDataRpc(d: DataRpcDeps): Promise<void> {
  await d.bus.serve(
    d.names.dataRpcQueue,
    dataRpcRequest,
    async (req, ctx) => {
      try {
        return await handle(d, req, ctx);
      } catch (e) {
        const outage = asOutage(e);
        if (outage) {
          d.logger.warn({ err: e, correlationId: ctx.correlationId }, 'request refused: a store is unavailable');
          throw outage;
        }
        throw e;
      }
    },
    { prefetch: 32, trustedPublishers: d.callers ?? 'any' },
  );
}

/** The request's id, and whether it may have been handled before (a server died before answering, a retry under an idempotency key). */
function busRequestOf(ctx: DeliveryContext): BusRequest | undefined {
  const id = ctx.messageId;
  return id && id.length <= 64 ? { id, redelivered: ctx.redelivered || ctx.attempt > 0 || ctx.repeatable === true } : undefined;
}

async function handle(d: DataRpcDeps, req: DataRpcRequest, ctx: DeliveryContext): Promise<unknown> {
  const request = busRequestOf(ctx);
  // The broker's redelivery is worth a warning; a retry under an idempotency key is routine.
  if ((ctx.redelivered || ctx.attempt > 0) && (req.type === 'verification.start' || req.type === 'payment.start')) {
    d.logger.warn({ correlationId: ctx.correlationId, type: req.type }, 'start delivered again: what an earlier delivery did is reused');
  }
  switch (req.type) {
    case 'verification.start': {
      const view = await d.verifications.start(req, ctx.correlationId, request);
      d.metrics.started.inc({ purpose: req.purpose, channel: req.channel ?? 'sms' });
      d.logger.info({ correlationId: ctx.correlationId, verificationId: view.id, purpose: req.purpose }, 'verification started');
      return view;
    }
    case 'verification.check': {
      const timer = d.metrics.checkSeconds.startTimer();
      let result: CheckResult;
      try {
        result = await d.verifications.check(
          req.merchantId,
          req.verificationId,
          req.submittedCode,
          { transaction: req.transaction, message: req.message },
          req.serviceSid,
        );
      } catch (e) {
        timer();
        d.metrics.checks.inc({ outcome: e instanceof AppError ? e.code.toLowerCase() : 'error' });
        throw e;
      }
      timer();
      d.metrics.checks.inc({ outcome: result.outcome });
      d.logger.info(
        { correlationId: ctx.correlationId, verificationId: req.verificationId, outcome: result.outcome },
        'verification checked',
      );
      // The end went through the lifecycle inside the check: the answer says what it did to the payment.
      const payment = await d.payments.afterCheck(result);
      return payment ? { ...result, payment } : result;
    }
    case 'verification.cancel':
      return d.verifications.cancel(req.merchantId, req.verificationId, req.status);
    case 'verification.resend':
      return d.verifications.resend(
        req.merchantId,
        req.verificationId,
        { transaction: req.transaction, message: req.message },
        req.locale,
        ctx.correlationId,
      );
    case 'silent.complete': {
      const next = await d.verifications.completeSilent(req);
      d.logger.info({ correlationId: ctx.correlationId }, 'silent verification came back');
      return next;
    }
    case 'enrolment.start':
      return d.enrolments.start(req, ctx.correlationId);
    case 'enrolment.action':
      return req.action === 'confirm'
        ? d.enrolments.confirm(req.merchantId, req.enrolmentId, req.code)
        : d.enrolments.get(req.merchantId, req.enrolmentId);
    case 'factor.create':
      return req.serviceSid ? d.twilioEntities.createFactor({ ...req, serviceSid: req.serviceSid }) : d.factors.create(req);
    case 'factor.list':
      return d.factors.list(req.merchantId, req.identifier, req.serviceSid);
    case 'factor.action':
      switch (req.action) {
        case 'confirm':
          return d.factors.confirm(req.merchantId, req.factorId, req.code, req.serviceSid);
        case 'delete':
          return d.factors.delete(req.merchantId, req.factorId, req.serviceSid);
        case 'get':
          return d.factors.get(req.merchantId, req.factorId, req.serviceSid);
        case 'rename':
          return d.factors.relabel(req.merchantId, req.factorId, req.label, req.serviceSid);
      }
      break;
    case 'session.open':
      return d.sessions.open(req.merchantId, req.identifier);
    case 'session.action':
      switch (req.action) {
        case 'get':
          return d.sessions.get(req.merchantId, req.sessionId);
        case 'heartbeat':
          return d.sessions.heartbeat(req.merchantId, req.sessionId);
        case 'end':
          return d.sessions.end(req.merchantId, req.sessionId);
      }
      break;
    case 'registered.send':
      return d.registered.send(req);
    case 'registered.action':
      switch (req.action) {
        case 'get':
          return d.registered.get(req.merchantId, req.id);
        case 'confirm':
          return d.registered.confirm(req.merchantId, req.id, req.code ?? '');
        case 'retrieve':
          return d.registered.retrieve(req.merchantId, req.id);
        case 'open':
          return d.registered.open(req.merchantId, req.id, req.code ?? '');
      }
      break;
    case 'admin.action':
      return d.admin.act(req);
    case 'webhook.register':
      return d.webhooks.register(req);
    case 'webhook.action':
      return webhookAction(d.webhooks, req);
    case 'payment.start':
      return d.payments.start(req, ctx.correlationId, request);
    case 'payment.get':
      return d.payments.get(req.merchantId, req.paymentId);
    case 'statement.get':
      return d.billing.statement(req.merchantId, req.identifier, req.period);
    case 'settlement.get':
      return d.billing.settlement(req.merchantId, req.period);
    case 'verification.get':
      return d.verifications.get(req.merchantId, req.verificationId);
    case 'verification.find':
      return d.verifications.findPending(req);
    case 'twilio.auth':
      return d.twilio.authenticate(req.username, req.password);
    case 'twilio.service':
      switch (req.action) {
        case 'create':
          return d.twilio.createService(req.merchantId, req.friendlyName ?? 'Verify', req.codeLength);
        case 'get':
          return d.twilio.getService(req.merchantId, req.serviceSid ?? '');
        case 'update':
          return d.twilio.updateService(req.merchantId, req.serviceSid ?? '', req);
        case 'delete':
          return d.twilio.deleteService(req.merchantId, req.serviceSid ?? '');
      }
      break;
    case 'twilio.services':
      return d.twilio.listServices(req.merchantId);
    case 'twilio.entity': {
      const identity = req.identity ?? '';
      switch (req.action) {
        case 'list':
          return d.twilioEntities.list(req.merchantId, req.serviceSid);
        case 'create':
          return d.twilioEntities.create(req.merchantId, req.serviceSid, identity);
        case 'get':
          return d.twilioEntities.get(req.merchantId, req.serviceSid, identity);
        case 'delete':
          return d.twilioEntities.delete(req.merchantId, req.serviceSid, identity);
      }
      break;
    }
    case 'twilio.challenges':
      return d.twilioEntities.challenges(req.merchantId, req.serviceSid, req.identity, req.factorId);
    case 'twilio.attempts':
      return d.twilioAttempts.read(req);
    case 'merchant.keys.get': {
      const keys = await d.merchants.findKeys(req.merchantId);
      if (!keys) {
        throw new AppError('not_found', 'MERCHANT_UNKNOWN', 'unknown merchant');
      }
      return keys;
    }
  }
}

function webhookAction(w: WebhookService, req: WebhookActionV1): Promise<unknown> {
  const endpointId = (): string => {
    if (!req.endpointId) {
      throw new AppError('invalid_input', 'ENDPOINT_REQUIRED', 'this action names an endpoint');
    }
    return req.endpointId;
  };
  switch (req.action) {
    case 'list':
      return w.list(req.merchantId);
    case 'remove':
      return w.remove(req.merchantId, endpointId());
    case 'rotate':
      return w.rotate(req.merchantId, endpointId());
    case 'deliveries':
      return w.deliveries(req.merchantId, endpointId());
    case 'replay':
      return w.replay(req.merchantId, req.deliveryId ?? 0);
  }
}
