import type { Knex } from '@outband/db';
import { createMetricsRegistry } from '@outband/observability';
import { insertSubscriber, migratedDatabase, queuingWebhooks } from '../platform/medium-test-db';
import { dataServerMetrics } from '../platform/metrics';
import { paymentTransitions } from './payment-events';
import { PaymentRepository } from './payment.repository';

// A medium test on the embedded database (SQLite in memory, every migration run): a payment's
// webhook event commits with its transition, or neither does.
let db: Knex;
let payments: PaymentRepository;
let counted: () => Promise<Record<string, number>>;
let subscriberId: number;
const at = new Date('2030-01-01T00:00:00Z');

beforeEach(async () => {
  db = await migratedDatabase();
  await db('merchants').insert({ id: 'shop', name: 'Shop' });
  subscriberId = await insertSubscriber(db, { cardToken: 'tok_alice' });
  const webhooks = await queuingWebhooks(db, ['payment.*'], () => at);
  const m = dataServerMetrics(createMetricsRegistry('test'));
  counted = async () => Object.fromEntries((await m.paymentStates.get()).values.map((v) => [String(v.labels.state), v.value]));
  payments = new PaymentRepository(db, paymentTransitions(webhooks, m));
  await payments.insertDeciding(
    {
      id: 'pay_1',
      merchantId: 'shop',
      subscriberId,
      source: 'card',
      terminalId: null,
      cardToken: 'tok_alice',
      transaction: { amount: 500, currency: 'EUR', payee: 'Kiosk' },
      authorizeAfterCheck: false,
      createdAt: at,
    },
    () => 'normal',
  );
});
afterEach(async () => {
  await db.destroy();
});

const queued = () => db('webhook_deliveries').orderBy('id').pluck<string[]>('event_type');

it("queues the payment's webhook event in the transaction of its transition, and counts it once committed", async () => {
  const statements: Array<{ sql: string; __knexTxId?: string }> = [];
  const record = (q: { sql: string; __knexTxId?: string }) => statements.push(q);
  db.on('query', record);
  expect(
    await payments.transition({ id: 'pay_1', merchantId: 'shop' }, ['created'], 'authorized', null, at, { authorizationId: 'au_1' }),
  ).toBe(true);
  db.off('query', record);
  const statementOn = (table: string) =>
    statements.find((q) => q.sql.startsWith(`update \`${table}\``) || q.sql.startsWith(`insert into \`${table}\``));
  expect(statementOn('payments')?.__knexTxId).toEqual(expect.any(String));
  expect(statementOn('webhook_deliveries')?.__knexTxId).toBe(statementOn('payments')?.__knexTxId);
  expect(await queued()).toEqual(['payment.created', 'payment.authorized']);
  expect(await counted()).toEqual({ created: 1, authorized: 1 });
});

it('rolls the transition back when its webhook event cannot be queued', async () => {
  await db.schema.dropTable('webhook_deliveries');
  await expect(
    payments.transition({ id: 'pay_1', merchantId: 'shop' }, ['created'], 'authorized', null, at, { authorizationId: 'au_1' }),
  ).rejects.toThrow(/webhook_deliveries/);
  expect(await payments.find('pay_1')).toMatchObject({ state: 'created', authorizationId: null });
  expect((await payments.history('pay_1')).map((e) => e.state)).toEqual(['created']);
  expect(await counted()).toEqual({ created: 1 });
});
