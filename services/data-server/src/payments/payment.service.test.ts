import type { Knex } from '@outband/db';
import { createLogger } from '@outband/observability';
import { isAppError } from '@outband/errors';
import type { VerificationView } from '@outband/contracts';
import { insertSubscriber, migratedDatabase } from '../platform/medium-test-db';
import { Bookings } from '../billing/bookings';
import { LedgerRepository } from '../billing/ledger.repository';
import { MerchantRepository } from '../merchants/merchant.repository';
import { SubscriberRepository } from '../subscribers/subscriber.repository';
import type { BankAuthorizer } from './bank/bank-authorizer';
import { PaymentRepository } from './payment.repository';
import { PaymentService } from './payment.service';

// A medium test on the embedded database (SQLite in memory, every migration run) with a bank
// that approves everything.
let db: Knex;
let payments: PaymentRepository;
beforeEach(async () => {
  db = await migratedDatabase();
  await db('merchants').insert({ id: 'shop', name: 'Shop' });
  await insertSubscriber(db, { cardToken: 'tok_alice' });
  payments = new PaymentRepository(db);
});
afterEach(async () => {
  await db.destroy();
});

const bank: BankAuthorizer = {
  authorize: () => Promise.resolve({ kind: 'approved', authorizationId: 'au_1' }),
  capture: () => Promise.resolve(),
  void: () => Promise.resolve(),
  findAuthorization: () => Promise.resolve(undefined),
  identifyCustomer: () => Promise.resolve(undefined),
};

describe('a payment given up while its code was being sent', () => {
  it('cancels that code and answers PAYMENT_ABANDONED, not a started payment without a code', async () => {
    const canceled: string[] = [];
    const service = new PaymentService({
      payments,
      bookings: new Bookings({
        ledger: new LedgerRepository(db),
        merchants: new MerchantRepository(db),
        clock: () => new Date(),
      }),
      merchants: new MerchantRepository(db),
      subscribers: new SubscriberRepository(db),
      bank,
      // The code goes out while a store stalls; meanwhile the sweep gives the payment up.
      startVerification: async () => {
        const [p] = await payments.stale(new Date(Date.now() + 60_000), 1);
        await payments.transition({ id: p?.id ?? '', merchantId: p?.merchantId ?? '' }, ['authorized'], 'failed', 'ABANDONED', new Date());
        return { id: 've_00000000000000000000000000000001' } as VerificationView;
      },
      cancelVerification: (_merchantId, verificationId) => {
        canceled.push(verificationId);
        return Promise.resolve();
      },
      clock: () => new Date(),
      logger: createLogger({ service: 'test', level: 'silent' }),
    });
    const refused = await service
      .start({
        merchantId: 'shop',
        source: { kind: 'card', identifier: 'alice', cardToken: 'tok_alice' },
        transaction: { amount: 2_500, currency: 'EUR', payee: 'Night Train' },
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isAppError(refused) && refused.code).toBe('PAYMENT_ABANDONED');
    expect(canceled).toEqual(['ve_00000000000000000000000000000001']);
  });
});
