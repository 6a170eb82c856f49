import { z } from 'zod';
import { AppError } from '@outband/errors';
import type { MessageBus } from '@outband/bus';
import {
  checkResult,
  merchantKeys,
  paymentView,
  adminResult,
  type AdminActionV1,
  type AdminResult,
  webhookActionResult,
  webhookEndpointView,
  type WebhookActionResult,
  type WebhookActionV1,
  type WebhookEndpointView,
  type WebhookRegisterV1,
  registeredView,
  type RegisteredActionV1,
  type RegisteredSendV1,
  type RegisteredView,
  sessionView,
  silentRedirect,
  type SilentCompleteV1,
  type SilentRedirect,
  enrolmentView,
  type EnrolmentStartV1,
  type EnrolmentView,
  factorList,
  factorView,
  type FactorActionV1,
  type FactorCreateV1,
  type FactorList,
  type FactorListV1,
  type FactorView,
  type SessionView,
  settlementView,
  statementView,
  type PaymentStartV1,
  type PaymentView,
  type SettlementView,
  type StatementView,
  verificationView,
  type BusNames,
  type CheckResult,
  type DataRpcRequest,
  type MerchantKeys,
  type TransactionData,
  type CertifiedMessage,
  type VerificationView,
  type VerificationFindV1,
  twilioPrincipal,
  type TwilioPrincipal,
  type TwilioServiceV1,
  twilioServiceView,
  type TwilioServiceView,
  twilioServiceList,
  type TwilioServiceList,
  type TwilioServicesV1,
  twilioEntityView,
  twilioEntityList,
  type TwilioEntityV1,
  type TwilioEntityView,
  type TwilioEntityList,
  type TwilioChallengesV1,
  twilioAttempts,
  type TwilioAttempts,
  type TwilioAttemptsV1,
} from '@outband/contracts';

const foundVerification = z.object({ id: z.string().nullable() });

/** Omit over each member of a union (a plain Omit would merge them). */
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** An admin action without its envelope. */
export type AdminActionRequest = DistributiveOmit<AdminActionV1, 'type' | 'version'>;

/** The calls the information server makes to the data server, typed and validated both ways. */

export interface DataClient {
  startVerification(
    req: Omit<Extract<DataRpcRequest, { type: 'verification.start' }>, 'type' | 'version'>,
    correlationId?: string,
    /** Shared by every retry of one request (an idempotency key's): the data server starts it once. */
    requestId?: string,
  ): Promise<VerificationView>;
  checkVerification(
    merchantId: string,
    verificationId: string,
    submittedCode: string,
    /** What the merchant presents now and, on the Twilio surface, the service the check comes through. */
    presented: { transaction?: TransactionData | undefined; message?: CertifiedMessage | undefined; serviceSid?: string },
    correlationId?: string,
  ): Promise<CheckResult>;
  resendVerification(
    req: Omit<Extract<DataRpcRequest, { type: 'verification.resend' }>, 'type' | 'version'>,
    correlationId?: string,
  ): Promise<VerificationView>;
  getVerification(merchantId: string, verificationId: string, correlationId?: string): Promise<VerificationView>;
  cancelVerification(
    merchantId: string,
    verificationId: string,
    correlationId?: string,
    status?: 'canceled' | 'approved',
  ): Promise<VerificationView>;
  findVerification(req: Omit<VerificationFindV1, 'type' | 'version'>, correlationId?: string): Promise<{ id: string | null }>;
  twilioAuth(username: string, password: string, correlationId?: string): Promise<TwilioPrincipal>;
  twilioService(req: Omit<TwilioServiceV1, 'type' | 'version'>, correlationId?: string): Promise<TwilioServiceView>;
  twilioServices(req: Omit<TwilioServicesV1, 'type' | 'version'>, correlationId?: string): Promise<TwilioServiceList>;
  twilioEntity(req: Omit<TwilioEntityV1, 'type' | 'version'>, correlationId?: string): Promise<TwilioEntityView | TwilioEntityList>;
  twilioChallenges(
    req: Omit<TwilioChallengesV1, 'type' | 'version'>,
    correlationId?: string,
  ): Promise<{ verifications: VerificationView[] }>;
  twilioAttempts(req: Omit<TwilioAttemptsV1, 'type' | 'version'>, correlationId?: string): Promise<TwilioAttempts>;
  merchantKeys(merchantId: string, correlationId?: string): Promise<MerchantKeys>;
  openSession(merchantId: string, identifier: string, correlationId?: string): Promise<SessionView>;
  startEnrolment(req: Omit<EnrolmentStartV1, 'type' | 'version'>, correlationId?: string): Promise<EnrolmentView>;
  completeSilent(req: Omit<SilentCompleteV1, 'type' | 'version'>, correlationId?: string): Promise<SilentRedirect>;
  enrolmentAction(
    req: { merchantId: string; enrolmentId: string } & ({ action: 'get' } | { action: 'confirm'; code: string }),
    correlationId?: string,
  ): Promise<EnrolmentView>;
  createFactor(req: Omit<FactorCreateV1, 'type' | 'version'>, correlationId?: string): Promise<FactorView>;
  listFactors(req: Omit<FactorListV1, 'type' | 'version'>, correlationId?: string): Promise<FactorList>;
  factorAction(req: DistributiveOmit<FactorActionV1, 'type' | 'version'>, correlationId?: string): Promise<FactorView>;
  sessionAction(merchantId: string, sessionId: string, action: 'get' | 'heartbeat' | 'end', correlationId?: string): Promise<SessionView>;
  sendRegistered(req: Omit<RegisteredSendV1, 'type' | 'version'>, correlationId?: string): Promise<RegisteredView>;
  registeredAction(
    merchantId: string,
    id: string,
    action: RegisteredActionV1['action'],
    code?: string,
    correlationId?: string,
  ): Promise<RegisteredView>;
  registerWebhook(req: Omit<WebhookRegisterV1, 'type' | 'version'>, correlationId?: string): Promise<WebhookEndpointView>;
  webhookAction(req: Omit<WebhookActionV1, 'type' | 'version'>, correlationId?: string): Promise<WebhookActionResult>;
  adminAction(req: AdminActionRequest, correlationId?: string): Promise<AdminResult>;
  startPayment(req: Omit<PaymentStartV1, 'type' | 'version'>, correlationId?: string, requestId?: string): Promise<PaymentView>;
  getPayment(merchantId: string, paymentId: string, correlationId?: string): Promise<PaymentView>;
  statement(merchantId: string, identifier: string, period: string, correlationId?: string): Promise<StatementView>;
  settlement(merchantId: string, period: string, correlationId?: string): Promise<SettlementView>;
}

/** DataClient over the bus's request/reply. */
export function busDataClient(bus: MessageBus, names: BusNames, timeoutMs: number): DataClient {
  async function call<S extends z.ZodType>(
    body: DataRpcRequest,
    schema: S,
    correlationId?: string,
    requestId?: string,
  ): Promise<z.infer<S>> {
    const reply = await bus.request(names.dataRpcQueue, body, timeoutMs, correlationId, requestId);
    const parsed = schema.safeParse(reply);
    if (!parsed.success) {
      throw new AppError('internal', 'BAD_UPSTREAM_REPLY', 'the data server answered with an unexpected shape');
    }
    return parsed.data;
  }
  return {
    startVerification: (req, cid, requestId) => call({ type: 'verification.start', version: 1, ...req }, verificationView, cid, requestId),
    checkVerification: (merchantId, verificationId, submittedCode, presented, cid) =>
      call(
        {
          type: 'verification.check',
          version: 1,
          merchantId,
          verificationId,
          submittedCode,
          ...(presented.transaction ? { transaction: presented.transaction } : {}),
          ...(presented.message ? { message: presented.message } : {}),
          ...(presented.serviceSid ? { serviceSid: presented.serviceSid } : {}),
        },
        checkResult,
        cid,
      ),
    resendVerification: (req, cid) => call({ type: 'verification.resend', version: 1, ...req }, verificationView, cid),
    getVerification: (merchantId, verificationId, cid) =>
      call({ type: 'verification.get', version: 1, merchantId, verificationId }, verificationView, cid),
    cancelVerification: (merchantId, verificationId, cid, status) =>
      call({ type: 'verification.cancel', version: 1, merchantId, verificationId, ...(status ? { status } : {}) }, verificationView, cid),
    findVerification: (req, cid) => call({ type: 'verification.find', version: 1, ...req }, foundVerification, cid),
    twilioAuth: (username, password, cid) => call({ type: 'twilio.auth', version: 1, username, password }, twilioPrincipal, cid),
    twilioService: (req, cid) => call({ type: 'twilio.service', version: 1, ...req }, twilioServiceView, cid),
    twilioServices: (req, cid) => call({ type: 'twilio.services', version: 1, ...req }, twilioServiceList, cid),
    twilioEntity: (req, cid) =>
      call({ type: 'twilio.entity', version: 1, ...req }, req.action === 'list' ? twilioEntityList : twilioEntityView, cid),
    twilioChallenges: (req, cid) =>
      call({ type: 'twilio.challenges', version: 1, ...req }, z.object({ verifications: z.array(verificationView) }), cid),
    twilioAttempts: (req, cid) => call({ type: 'twilio.attempts', version: 1, ...req }, twilioAttempts, cid),
    merchantKeys: (merchantId, cid) => call({ type: 'merchant.keys.get', version: 1, merchantId }, merchantKeys, cid),
    openSession: (merchantId, identifier, cid) => call({ type: 'session.open', version: 1, merchantId, identifier }, sessionView, cid),
    startEnrolment: (req, cid) => call({ type: 'enrolment.start', version: 1, ...req }, enrolmentView, cid),
    completeSilent: (req, cid) => call({ type: 'silent.complete', version: 1, ...req }, silentRedirect, cid),
    enrolmentAction: (req, cid) => call({ type: 'enrolment.action', version: 1, ...req }, enrolmentView, cid),
    createFactor: (req, cid) => call({ type: 'factor.create', version: 1, ...req }, factorView, cid),
    listFactors: (req, cid) => call({ type: 'factor.list', version: 1, ...req }, factorList, cid),
    factorAction: (req, cid) => call({ type: 'factor.action', version: 1, ...req }, factorView, cid),
    sessionAction: (merchantId, sessionId, action, cid) =>
      call({ type: 'session.action', version: 1, merchantId, sessionId, action }, sessionView, cid),
    sendRegistered: (req, cid) => call({ type: 'registered.send', version: 1, ...req }, registeredView, cid),
    registeredAction: (merchantId, id, action, code, cid) =>
      call({ type: 'registered.action', version: 1, merchantId, id, action, ...(code ? { code } : {}) }, registeredView, cid),
    registerWebhook: (req, cid) => call({ type: 'webhook.register', version: 1, ...req }, webhookEndpointView, cid),
    webhookAction: (req, cid) => call({ type: 'webhook.action', version: 1, ...req }, webhookActionResult, cid),
    adminAction: (req, cid) => call({ type: 'admin.action', version: 1, ...req }, adminResult, cid),
    startPayment: (req, cid, requestId) => call({ type: 'payment.start', version: 1, ...req }, paymentView, cid, requestId),
    getPayment: (merchantId, paymentId, cid) => call({ type: 'payment.get', version: 1, merchantId, paymentId }, paymentView, cid),
    statement: (merchantId, identifier, period, cid) =>
      call({ type: 'statement.get', version: 1, merchantId, identifier, period }, statementView, cid),
    settlement: (merchantId, period, cid) => call({ type: 'settlement.get', version: 1, merchantId, period }, settlementView, cid),
  };
}
