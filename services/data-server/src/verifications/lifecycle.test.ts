import { randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { Knex } from '@outband/db';
import { isAppError } from '@outband/errors';
import { createLogger, createMetricsRegistry } from '@outband/observability';
import { inMemoryTtlStore } from '@outband/redis-limits';
import { insertSubscriber, migratedDatabase, queuingWebhooks } from '../platform/medium-test-db';
import { dataServerMetrics } from '../platform/metrics';
import { FailureCounter } from '../abuse/failure-counter';
import { AuditLog } from '../audit/audit-log';
import { MessageOutbox } from '../delivery/message-outbox';
import { IssueRecords } from './start/issue-records';
import { Bookings } from '../billing/bookings';
import { LedgerRepository } from '../billing/ledger.repository';
import { CertificateRepository } from '../delivery/certificate.repository';
import { MerchantRepository } from '../merchants/merchant.repository';
import type { BankAuthorizer } from '../payments/bank/bank-authorizer';
import { paymentTransitions } from '../payments/payment-events';
import { PaymentRepository } from '../payments/payment.repository';
import { PaymentService } from '../payments/payment.service';
import { SessionRepository } from '../sessions/session.repository';
import { SessionService } from '../sessions/session.service';
import { SubscriberRepository } from '../subscribers/subscriber.repository';
import { parseOcraSuite } from '@outband/otp';
import { VerificationLifecycle } from './lifecycle';
import { PendingSecretStore } from './pending/pending-secret.store';
import { ReverseCodes } from './reverse/reverse-codes';
import { VerificationRepository } from './verification.repository';
import { VerificationService } from './verification.service';

// A medium test of what follows the end of a verification, wired as the composition root wires
// it, on the embedded database (SQLite in memory, every migration run) and the in-memory TTL
// store. Only the phone and the bank are fakes: the phone keeps the code it was sent.
const metrics = dataServerMetrics(createMetricsRegistry('test'));
const logger = createLogger({ service: 'test', level: 'silent' });
const trip = { amount: 4_200, currency: 'EUR', payee: 'Night Train' };
let db: Knex;
let redis: Redis;
let merchants: MerchantRepository;
let service: VerificationService;
let sessions: SessionService;
let payments: PaymentService;
let lifecycle: VerificationLifecycle;
let phone: Map<string, string>;
let bank: { captured: string[]; voided: string[] };

beforeEach(async () => {
  db = await migratedDatabase();
  redis = inMemoryTtlStore();
  await redis.flushall(); // one process's connections share one store
  const clock = () => new Date();
  merchants = new MerchantRepository(db);
  await merchants.upsertMerchant('shop', 'Shop');
  await insertSubscriber(db);
  await insertSubscriber(db, { identifier: 'bob', address: '+33698765432', cardToken: 'tok_bob' });
  const subscribers = new SubscriberRepository(db);
  const webhooks = await queuingWebhooks(db, ['verification.*', 'payment.*'], clock);
  const verifications = new VerificationRepository(db);
  const certificates = new CertificateRepository(db);
  const pending = new PendingSecretStore(redis, { prefix: 'test' });
  const bookings = new Bookings({ ledger: new LedgerRepository(db), merchants, clock });
  const macKey = { id: 'm1', key: randomBytes(32) };
  sessions = new SessionService({
    sessions: new SessionRepository(db),
    subscribers,
    verifications,
    endVerification: (v, at) => service.settle(v, 'session_closed', at, { payment: 'sweep' }),
    pending,
    bookings,
    clock,
    logger,
    idleSeconds: 600,
    decoyKey: macKey.key,
  });
  phone = new Map();
  const outbox = new MessageOutbox(db, { publish: () => Promise.resolve(), relayAfterMs: 60_000, clock, logger });
  const audit = new AuditLog(db);
  const issues = new IssueRecords(audit, verifications, certificates, outbox);
  service = new VerificationService({
    subscribers,
    verifications,
    certificates,
    pending,
    reverseCodes: new ReverseCodes(redis, 'test'),
    audit,
    failures: new FailureCounter(redis, 'test', 100, 3600),
    ended: (v, status, payment) => lifecycle.onEnded(v, status, payment),
    // The code is read off the "phone" as it is sealed; the records are written for real.
    sealCode: (message, code) => {
      phone.set(message.verificationId, code);
      return { messageId: message.messageId, body: message };
    },
    record: (r) => issues.record(r),
    sendNotice: () => Promise.resolve(),
    blocksBeforePermanent: 3,
    reverseNumberFor: () => '+33700000000',
    requireSession: (merchantId, sessionId, holder) => sessions.requireOpen(merchantId, sessionId, holder),
    admitSend: () => Promise.resolve({ country: 'FR', callingCode: '33', range: '+336123456' }),
    countSend: () => Promise.resolve(),
    merchantLimit: () => Promise.resolve({ allowed: true, remaining: 100 }),
    policyOf: (merchantId) => merchants.policy(merchantId),
    sendLimit: () => Promise.resolve({ allowed: true, remaining: 100 }),
    clock,
    codeKeys: [{ id: 'c1', key: randomBytes(32) }],
    macKeys: [macKey],
    suite: parseOcraSuite('OCRA-1:HOTP-SHA256-6:QH64-S064-T1M'),
    ttlSeconds: 300,
    decoyCountry: 'FR',
    maxAttempts: 3,
    maxSends: 3,
    resendCooldownSeconds: 30,
    claimMaxLifetimeSeconds: 600,
  });
  bank = { captured: [], voided: [] };
  const fakeBank: BankAuthorizer = {
    authorize: () => Promise.resolve({ kind: 'approved', authorizationId: 'au_1' }),
    capture: (id) => Promise.resolve(void bank.captured.push(id)),
    void: (id) => Promise.resolve(void bank.voided.push(id)),
    findAuthorization: () => Promise.resolve(undefined),
    identifyCustomer: () => Promise.resolve(undefined),
  };
  payments = new PaymentService({
    payments: new PaymentRepository(db, paymentTransitions(webhooks, metrics)),
    bookings,
    merchants,
    subscribers,
    bank: fakeBank,
    startVerification: (req) => service.start({ purpose: 'transaction', ...req }),
    cancelVerification: (merchantId, id) => service.cancel(merchantId, id),
    clock,
    logger,
  });
  lifecycle = new VerificationLifecycle({ webhooks, bookings, payments });
});
afterEach(async () => {
  redis.disconnect();
  await db.destroy();
});

const login = (sessionId?: string) =>
  service.start({ merchantId: 'shop', identifier: 'alice', purpose: 'login', ...(sessionId ? { sessionId } : {}) });

/** What the phone got for a verification. */
function codeOf(verificationId: string): string {
  const code = phone.get(verificationId);
  if (!code) {
    throw new Error(`no code was sent for ${verificationId}`);
  }
  return code;
}

/** Another code of the same length. */
const wrong = (code: string) => code.replace(/\d$/, (d) => String((Number(d) + 1) % 10));

/** The error code a call failed with, or undefined when it did not fail. */
const refusal = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (e: unknown) => (isAppError(e) ? e.code : e),
  );

/** The webhook events queued for the merchant, oldest first: type and the status they carry. */
async function events(): Promise<Array<[string, string | undefined]>> {
  const rows = await db('webhook_deliveries').orderBy('id').select<Array<{ event_type: string; payload: string }>>('event_type', 'payload');
  return rows.map((r) => {
    const data = (JSON.parse(r.payload) as { data: { status?: string; state?: string } }).data;
    return [r.event_type, data.status ?? data.state];
  });
}

async function ledger(): Promise<Array<[string, string, number, string | null, string | null]>> {
  const rows = await db('ledger_entries')
    .orderBy('register')
    .select<Array<{ register: string; kind: string; amount: number | string; verification_id: string | null; payment_id: string | null }>>(
      'register',
      'kind',
      'amount',
      'verification_id',
      'payment_id',
    );
  return rows.map((r) => [r.register, r.kind, Number(r.amount), r.verification_id, r.payment_id]);
}

const statusOf = async (id: string) => (await db('verifications').where({ id }).first<{ status: string }>('status')).status;
const paymentStateOf = async (id: string) => (await db('payments').where({ id }).first<{ state: string }>('state')).state;

describe('the end of a login', () => {
  it('books the per-verification fee once in both registers when approved', async () => {
    await merchants.setPolicy('shop', { billingMode: 'per_verification', billingValue: 15 });
    const v = await login();
    expect((await service.check('shop', v.id, codeOf(v.id))).outcome).toBe('approved');
    expect(await refusal(service.check('shop', v.id, codeOf(v.id)))).toBe('ALREADY_USED');
    // The sweep finishing the same end again changes nothing.
    const record = await new VerificationRepository(db).findById(v.id);
    await lifecycle.onEnded(record!, 'approved');

    expect(await statusOf(v.id)).toBe('approved');
    expect(await ledger()).toEqual([
      ['merchant', 'per_verification', 15, v.id, null],
      ['receiver', 'per_verification', 15, v.id, null],
    ]);
    expect(await events()).toEqual([['verification.approved', 'approved']]);
  });

  it('books nothing and queues verification.failed when a wrong code is typed thrice', async () => {
    await merchants.setPolicy('shop', { billingMode: 'per_verification', billingValue: 15 });
    const v = await login();
    const outcomes = [];
    for (let i = 0; i < 3; i++) {
      outcomes.push((await service.check('shop', v.id, wrong(codeOf(v.id)))).outcome);
    }
    expect(outcomes).toEqual(['mismatch', 'mismatch', 'burned']);
    expect(await refusal(service.check('shop', v.id, codeOf(v.id)))).toBe('TOO_MANY_ATTEMPTS');
    expect(await statusOf(v.id)).toBe('max_attempts_reached');
    expect(await ledger()).toEqual([]);
    expect(await events()).toEqual([['verification.failed', 'max_attempts_reached']]);
  });

  it('queues verification.canceled on a cancel, and its code approves nothing after', async () => {
    await merchants.setPolicy('shop', { billingMode: 'per_verification', billingValue: 15 });
    const v = await login();
    await service.cancel('shop', v.id);
    expect(await refusal(service.check('shop', v.id, codeOf(v.id)))).toBe('CANCELED');
    expect(await statusOf(v.id)).toBe('canceled');
    expect(await ledger()).toEqual([]);
    expect(await events()).toEqual([['verification.canceled', 'canceled']]);
  });

  it('ends the pending code of a session when the session closes', async () => {
    const session = await sessions.open('shop', 'alice');
    const v = await login(session.id);
    await sessions.end('shop', session.id);
    expect(await statusOf(v.id)).toBe('session_closed');
    expect(await refusal(service.check('shop', v.id, codeOf(v.id)))).toBe('SESSION_CLOSED');
    expect(await events()).toEqual([['verification.canceled', 'session_closed']]);
  });
});

describe('the end of a transaction verification', () => {
  const pay = () =>
    payments.start({
      merchantId: 'shop',
      source: { kind: 'contract', identifier: 'bob' },
      transaction: trip,
    });

  it('captures the payment it secures when approved, and only for the data shown', async () => {
    const p = await pay();
    const id = p.verificationId ?? '';
    const changed = await service.check('shop', id, codeOf(id), { transaction: { ...trip, amount: 1 } });
    expect(changed.outcome === 'mismatch' && changed.mismatch).toBe('transaction');
    expect(bank.captured).toEqual([]);

    expect((await service.check('shop', id, codeOf(id), { transaction: trip })).outcome).toBe('approved');
    expect(await paymentStateOf(p.id)).toBe('captured');
    expect(bank).toEqual({ captured: ['au_1'], voided: [] });
    expect(await ledger()).toEqual([
      ['merchant', 'amount', 4_200, null, p.id],
      ['receiver', 'amount', 4_200, null, p.id],
    ]);
    expect(await events()).toEqual([
      ['payment.created', 'created'],
      ['payment.authorized', 'authorized'],
      ['payment.code_sent', 'code_sent'],
      ['verification.approved', 'approved'],
      ['payment.verified', 'verified'],
      ['payment.captured', 'captured'],
    ]);
  });

  it('voids the payment it secures when canceled', async () => {
    const p = await pay();
    await service.cancel('shop', p.verificationId ?? '');
    expect(await paymentStateOf(p.id)).toBe('voided');
    expect(bank).toEqual({ captured: [], voided: ['au_1'] });
    expect(await ledger()).toEqual([]);
    expect((await events()).slice(-2)).toEqual([
      ['verification.canceled', 'canceled'],
      ['payment.voided', 'voided'],
    ]);
  });
});
