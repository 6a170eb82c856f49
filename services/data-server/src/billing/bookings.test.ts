import type { Knex } from '@outband/db';
import { insertSubscriber, migratedDatabase } from '../platform/medium-test-db';
import { MerchantRepository } from '../merchants/merchant.repository';
import { SubscriberRepository } from '../subscribers/subscriber.repository';
import { BillingService } from './billing.service';
import { Bookings } from './bookings';
import { LedgerRepository } from './ledger.repository';

// A medium test on the embedded database (SQLite in memory, every migration run): what each
// billing mode books, and what statements and settlements read back.
const at = new Date('2030-03-14T10:00:00Z');
let db: Knex;
let merchants: MerchantRepository;
let bookings: Bookings;
let billing: BillingService;
let alice: number;

beforeEach(async () => {
  db = await migratedDatabase();
  merchants = new MerchantRepository(db);
  await merchants.upsertMerchant('shop', 'Shop');
  alice = await insertSubscriber(db);
  const subscribers = new SubscriberRepository(db);
  const ledger = new LedgerRepository(db);
  bookings = new Bookings({ ledger, merchants, clock: () => at });
  billing = new BillingService({ ledger, merchants, subscribers });
});
afterEach(async () => {
  await db.destroy();
});

interface EntryRow {
  register: string;
  kind: string;
  amount: number | string;
  currency: string;
  subscriber_id: number;
  payment_id: string | null;
  verification_id: string | null;
}

async function entries(): Promise<Array<Omit<EntryRow, 'amount'> & { amount: number }>> {
  const rows = await db<EntryRow>('ledger_entries')
    .orderBy('register')
    .select('register', 'kind', 'amount', 'currency', 'subscriber_id', 'payment_id', 'verification_id');
  return rows.map((r) => ({ ...r, amount: Number(r.amount) }));
}

const payment = (id: string, amount: number) => ({
  id,
  merchantId: 'shop',
  subscriberId: alice,
  transaction: { amount, currency: 'EUR' },
});

describe('amount mode', () => {
  it('books a capture once in each register, even when told twice', async () => {
    await bookings.paymentCaptured(payment('pa_1', 2_500), at);
    await bookings.paymentCaptured(payment('pa_1', 2_500), at);
    const common = { kind: 'amount', amount: 2_500, currency: 'EUR', subscriber_id: alice, payment_id: 'pa_1', verification_id: null };
    expect(await entries()).toEqual([
      { register: 'merchant', ...common },
      { register: 'receiver', ...common },
    ]);
  });

  it('books no fee for an approved verification or a closed session', async () => {
    await bookings.verificationApproved({ id: 've_1', merchantId: 'shop', subscriberId: alice });
    await bookings.sessionClosed({ id: 'se_1', merchantId: 'shop', subscriberId: alice, openedAt: new Date(at.getTime() - 600_000) }, at);
    expect(await entries()).toEqual([]);
  });
});

describe('duration mode', () => {
  beforeEach(async () => {
    await merchants.setPolicy('shop', { billingMode: 'duration', billingValue: 7 });
  });

  it.each([
    { seconds: 0, minutes: 1 },
    { seconds: 60, minutes: 1 },
    { seconds: 61, minutes: 2 },
    { seconds: 150, minutes: 3 },
  ])('counts $seconds s as $minutes started minute(s)', async ({ seconds, minutes }) => {
    const openedAt = new Date(at.getTime() - seconds * 1000);
    await bookings.sessionClosed({ id: 'se_1', merchantId: 'shop', subscriberId: alice, openedAt }, at);
    await bookings.sessionClosed({ id: 'se_1', merchantId: 'shop', subscriberId: alice, openedAt }, at);
    const booked = await entries();
    expect(booked.map((e) => [e.register, e.kind, e.amount])).toEqual([
      ['merchant', 'duration', minutes * 7],
      ['receiver', 'duration', minutes * 7],
    ]);
  });

  it("bills neither a decoy's session nor a captured payment", async () => {
    await bookings.sessionClosed({ id: 'se_d', merchantId: 'shop', subscriberId: null, openedAt: new Date(at.getTime() - 120_000) }, at);
    await bookings.paymentCaptured(payment('pa_1', 2_500), at);
    expect(await entries()).toEqual([]);
  });
});

describe('per_verification mode', () => {
  beforeEach(async () => {
    await merchants.setPolicy('shop', { billingMode: 'per_verification', billingValue: 12, billingCurrency: 'CHF' });
  });

  it('books each approved verification once, and nothing for a decoy', async () => {
    await bookings.verificationApproved({ id: 've_decoy', merchantId: 'shop', subscriberId: null });
    await bookings.verificationApproved({ id: 've_1', merchantId: 'shop', subscriberId: alice });
    await bookings.verificationApproved({ id: 've_1', merchantId: 'shop', subscriberId: alice });
    const common = {
      kind: 'per_verification',
      amount: 12,
      currency: 'CHF',
      subscriber_id: alice,
      payment_id: null,
      verification_id: 've_1',
    };
    expect(await entries()).toEqual([
      { register: 'merchant', ...common },
      { register: 'receiver', ...common },
    ]);
  });
});

describe('statements and settlements', () => {
  it("read back a month's bookings, leaving out other months and other merchants", async () => {
    await merchants.setPolicy('shop', { serviceChargeBps: 250 });
    await merchants.upsertMerchant('other', 'Other');
    await bookings.paymentCaptured(payment('pa_1', 2_500), at);
    await bookings.paymentCaptured(payment('pa_2', 999), new Date('2030-03-31T23:59:59.999Z'));
    await bookings.paymentCaptured(payment('pa_april', 4_000), new Date('2030-04-01T00:00:00Z'));
    await bookings.paymentCaptured({ ...payment('pa_other', 5_000), merchantId: 'other' }, at);

    const statement = await billing.statement('shop', 'alice', '2030-03');
    expect(statement.entries.map((e) => [e.paymentId, e.amount, e.kind])).toEqual([
      ['pa_1', 2_500, 'amount'],
      ['pa_2', 999, 'amount'],
    ]);
    expect(statement.totals).toEqual([{ currency: 'EUR', amount: 3_499 }]);

    // 2.5 % of 34.99 EUR is 87.475 cents: rounded half up to 87, and the net makes up the gross.
    const settlement = await billing.settlement('shop', '2030-03');
    expect(settlement.lines).toEqual([{ currency: 'EUR', payments: 2, gross: 3_499, serviceCharge: 87, net: 3_412 }]);
    expect(settlement.verificationFees).toEqual([]);
  });

  it('settle the fees of approved verifications apart from payments', async () => {
    await merchants.setPolicy('shop', { billingMode: 'per_verification', billingValue: 5 });
    await bookings.verificationApproved({ id: 've_1', merchantId: 'shop', subscriberId: alice });
    await bookings.verificationApproved({ id: 've_2', merchantId: 'shop', subscriberId: alice });
    const settlement = await billing.settlement('shop', '2030-03');
    expect(settlement.lines).toEqual([]);
    expect(settlement.verificationFees).toEqual([{ currency: 'EUR', verifications: 2, amount: 10 }]);
    expect((await billing.statement('shop', 'alice', '2030-03')).totals).toEqual([{ currency: 'EUR', amount: 10 }]);
  });

  it('answer an unknown identifier with an empty statement', async () => {
    await bookings.paymentCaptured(payment('pa_1', 2_500), at);
    expect(await billing.statement('shop', 'nobody', '2030-03')).toEqual({
      identifier: 'nobody',
      period: '2030-03',
      entries: [],
      totals: [],
    });
  });
});
