import type { Knex } from '@outband/db';
import { createLogger } from '@outband/observability';
import { AppError, isAppError } from '@outband/errors';
import type { PaymentState, VerificationView } from '@outband/contracts';
import { insertSubscriber, migratedDatabase, verificationRecord } from '../platform/medium-test-db';
import { Bookings } from '../billing/bookings';
import { LedgerRepository } from '../billing/ledger.repository';
import { MerchantRepository } from '../merchants/merchant.repository';
import { SubscriberRepository } from '../subscribers/subscriber.repository';
import { VerificationRepository } from '../verifications/verification.repository';
import type { AuthorizationResult, AuthorizeRequest, BankAuthorizer } from './bank/bank-authorizer';
import { PaymentRepository } from './payment.repository';
import { PaymentService } from './payment.service';

// A medium test of the payment state machine on the embedded database (SQLite in memory, every
// migration run), with a bank that keeps what it was asked and a clock the test moves.
const graceMs = 60_000;
let now: number;
let db: Knex;
let payments: PaymentRepository;
let verifications: VerificationRepository;
let merchants: MerchantRepository;
let bank: FakeBank;
let service: PaymentService;

/** A bank that answers by idempotency key, like a real one, and can be told to fail. */
class FakeBank implements BankAuthorizer {
  readonly holds = new Map<string, AuthorizationResult & { status?: 'captured' | 'voided' }>();
  readonly captured: string[] = [];
  readonly voided: string[] = [];
  answer: AuthorizationResult['kind'] = 'approved';
  down = { authorize: false, capture: false, void: false };

  authorize(r: AuthorizeRequest): Promise<AuthorizationResult> {
    if (!this.holds.has(r.idempotencyKey)) {
      const hold: AuthorizationResult =
        this.answer === 'approved'
          ? { kind: 'approved', authorizationId: `au_${this.holds.size + 1}` }
          : { kind: 'declined', reason: 'insufficient_funds' };
      this.holds.set(r.idempotencyKey, hold);
    }
    // The bank acted, but the answer is lost on the way back.
    return this.down.authorize ? Promise.reject(unavailable()) : Promise.resolve(this.holds.get(r.idempotencyKey)!);
  }
  capture(id: string): Promise<void> {
    return this.down.capture ? Promise.reject(unavailable()) : Promise.resolve(void this.captured.push(id));
  }
  void(id: string): Promise<void> {
    return this.down.void ? Promise.reject(unavailable()) : Promise.resolve(void this.voided.push(id));
  }
  findAuthorization(key: string): ReturnType<BankAuthorizer['findAuthorization']> {
    const hold = this.holds.get(key);
    return Promise.resolve(hold?.kind === 'approved' ? { authorizationId: hold.authorizationId, status: 'approved' } : undefined);
  }
  identifyCustomer(): Promise<undefined> {
    return Promise.resolve(undefined);
  }
}

const unavailable = () => new AppError('unavailable', 'BANK_UNAVAILABLE', 'the bank did not answer', { retryable: true });

let started: string[];
let startVerification: () => Promise<VerificationView>;

beforeEach(async () => {
  now = Date.parse('2030-05-01T12:00:00Z');
  db = await migratedDatabase();
  merchants = new MerchantRepository(db);
  await merchants.upsertMerchant('shop', 'Shop');
  const subscribers = new SubscriberRepository(db);
  const alice = await insertSubscriber(db, { cardToken: 'tok_alice' });
  payments = new PaymentRepository(db);
  verifications = new VerificationRepository(db);
  bank = new FakeBank();
  started = [];
  // The verification that carries the code: only its durable record, which the sweep reads.
  startVerification = async () => {
    const id = `ve_${String(started.length + 1).padStart(32, '0')}`;
    started.push(id);
    await verifications.insert([
      verificationRecord({
        id,
        subscriberId: alice,
        purpose: 'transaction',
        createdAt: new Date(now),
        transaction: { amount: 2_500, currency: 'EUR', payee: 'Night Train' },
      }),
    ]);
    return { id } as VerificationView;
  };
  const clock = () => new Date(now);
  service = new PaymentService({
    payments,
    bookings: new Bookings({ ledger: new LedgerRepository(db), merchants, clock }),
    merchants,
    subscribers,
    bank,
    startVerification: () => startVerification(),
    cancelVerification: () => Promise.resolve(),
    clock,
    logger: createLogger({ service: 'test', level: 'silent' }),
  });
});
afterEach(async () => {
  await db.destroy();
});

const pay = () =>
  service.start({
    merchantId: 'shop',
    source: { kind: 'contract', identifier: 'alice' },
    transaction: { amount: 2_500, currency: 'EUR', payee: 'Night Train' },
  });

/** The payment's states and causes as its event rows record them. */
async function trail(id: string): Promise<Array<[PaymentState, string | null]>> {
  return (await payments.history(id)).map((e) => [e.state, e.cause]);
}

async function ledger(): Promise<Array<[string, string, number, string | null]>> {
  const rows = await db('ledger_entries')
    .orderBy('register')
    .select<Array<{ register: string; kind: string; amount: number | string; payment_id: string | null }>>(
      'register',
      'kind',
      'amount',
      'payment_id',
    );
  return rows.map((r) => [r.register, r.kind, Number(r.amount), r.payment_id]);
}

describe('a secured payment', () => {
  it('goes created → authorized → code_sent → verified → captured, captured and booked once', async () => {
    const view = await pay();
    expect(view.state).toBe('code_sent');
    expect(view.verificationId).toBe(started[0]);
    expect(bank.captured).toEqual([]);

    await service.onVerificationEnd(started[0]!, 'approved', 'transaction');
    await service.onVerificationEnd(started[0]!, 'approved', 'transaction'); // a redelivered end
    expect(await trail(view.id)).toEqual([
      ['created', 'secured'],
      ['authorized', null],
      ['code_sent', null],
      ['verified', null],
      ['captured', null],
    ]);
    expect(bank.captured).toEqual(['au_1']);
    expect(bank.voided).toEqual([]);
    expect(await ledger()).toEqual([
      ['merchant', 'amount', 2_500, view.id],
      ['receiver', 'amount', 2_500, view.id],
    ]);
  });

  it('is declined when the bank refuses the hold, and no code is sent', async () => {
    bank.answer = 'declined';
    const view = await pay();
    expect(await trail(view.id)).toEqual([
      ['created', 'secured'],
      ['declined', 'INSUFFICIENT_FUNDS'],
    ]);
    expect(started).toEqual([]);
    expect(await ledger()).toEqual([]);
  });

  it('is voided when its verification is canceled, and expired by the sweep when its code expires', async () => {
    const canceled = await pay();
    await service.onVerificationEnd(started[0]!, 'canceled', 'transaction');
    expect((await payments.find(canceled.id))?.state).toBe('voided');

    const expiring = await pay();
    now += 300_001; // its code's lifetime is over; nobody ended the verification
    await service.sweep(graceMs);
    expect((await trail(expiring.id)).at(-1)).toEqual(['expired', 'EXPIRED']);
    expect(bank.voided).toEqual(['au_1', 'au_2']);
    expect(bank.captured).toEqual([]);
  });
});

describe('a capture the bank does not answer', () => {
  it('leaves the payment verified, and the sweep captures it once the grace has passed', async () => {
    const view = await pay();
    bank.down.capture = true;
    await service.onVerificationEnd(started[0]!, 'approved', 'transaction');
    expect((await payments.find(view.id))?.state).toBe('verified');
    expect(await ledger()).toEqual([]);

    bank.down.capture = false;
    now += graceMs - 1;
    expect(await service.sweep(graceMs)).toBe(0);
    expect((await payments.find(view.id))?.state).toBe('verified');
    now += 2;
    await service.sweep(graceMs);
    expect((await payments.find(view.id))?.state).toBe('captured');
    expect(bank.captured).toEqual(['au_1']);
    expect(await ledger()).toHaveLength(2);
    await service.sweep(graceMs); // nothing left to do
    expect(bank.captured).toEqual(['au_1']);
  });
});

describe('the authorize-after-check policy', () => {
  beforeEach(async () => {
    await merchants.setPolicy('shop', { authorizeAfterCheck: true });
  });

  it('sends the code first and holds the amount only once the code is checked', async () => {
    const view = await pay();
    expect(bank.holds.size).toBe(0);
    await service.onVerificationEnd(started[0]!, 'approved', 'transaction');
    expect(await trail(view.id)).toEqual([
      ['created', 'secured'],
      ['code_sent', null],
      ['verified', null],
      ['authorized', null],
      ['captured', null],
    ]);
    expect(bank.captured).toEqual(['au_1']);
  });

  it('holds nothing, and voids nothing, for a code that failed', async () => {
    const view = await pay();
    await service.onVerificationEnd(started[0]!, 'max_attempts_reached', 'transaction');
    expect(await trail(view.id)).toEqual([
      ['created', 'secured'],
      ['code_sent', null],
      ['failed', 'TOO_MANY_ATTEMPTS'],
    ]);
    expect(bank.holds.size).toBe(0);
    expect(bank.voided).toEqual([]);
  });
});

describe('an abandoned authorization', () => {
  it('is voided by the sweep when no code went out and the void was not answered', async () => {
    startVerification = () => Promise.reject(new Error('store unreachable'));
    bank.down.void = true;
    const refused = await pay().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(refused).toBeInstanceOf(Error);
    const [p] = await db('payments').select<Array<{ id: string; state: string }>>('id', 'state');
    expect(p?.state).toBe('authorized');

    bank.down.void = false;
    now += graceMs + 1;
    await service.sweep(graceMs);
    expect((await trail(p?.id ?? '')).at(-1)).toEqual(['failed', 'ABANDONED']);
    expect(bank.voided).toEqual(['au_1']);
    expect(bank.captured).toEqual([]);
  });

  it('is left alone when its code went out after the sweep read it: the start and the sweep never both win', async () => {
    // The code goes out slowly (a store stalled past the grace): the sweep reads the payment as
    // authorized, then the start moves it on before the sweep acts.
    let release: () => void = () => undefined;
    let reached: () => void = () => undefined;
    const stalled = new Promise<void>((r) => (release = r));
    const authorized = new Promise<void>((r) => (reached = r));
    const startedSlowly = startVerification;
    startVerification = async () => {
      reached(); // authorized by now: the code is the next step
      await stalled;
      return startedSlowly();
    };
    const starting = pay();
    await authorized;
    now += graceMs + 1;
    const stale = payments.stale.bind(payments);
    payments.stale = async (...args) => {
      const read = await stale(...args);
      release();
      await starting; // the start finishes between the sweep's read and its decision
      return read;
    };
    await service.sweep(graceMs);
    const view = await starting;
    expect(view.state).toBe('code_sent');
    expect((await trail(view.id)).at(-1)).toEqual(['code_sent', null]);
    expect(bank.voided).toEqual([]);
  });

  it('is found and voided by the sweep when the answer to the authorize call was lost', async () => {
    bank.down.authorize = true;
    const refused = await pay().then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isAppError(refused) && refused.code).toBe('BANK_UNAVAILABLE');
    const [p] = await db('payments').select<Array<{ id: string; state: string }>>('id', 'state');
    expect(p?.state).toBe('created');

    now += graceMs + 1;
    await service.sweep(graceMs);
    expect(await trail(p?.id ?? '')).toEqual([
      ['created', 'secured'],
      ['failed', 'ABANDONED'],
    ]);
    expect(bank.voided).toEqual(['au_1']);
    expect(started).toEqual([]);
  });
});
