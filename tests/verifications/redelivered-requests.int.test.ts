import { randomUUID } from 'node:crypto';
import * as amqp from 'amqplib';
import { busNames } from '@outband/contracts';
import { openDatabase, type Knex } from '@outband/db';
import { waitForInbox } from '../support/http';
import { servers } from '../support/servers';
import { startSuite, subscribers, type Suite } from '../support/suite';

/**
 * A data server that dies after doing a request but before answering gets that request again
 * from the broker (redelivered). It must answer with what it did, not do it twice: one
 * verification, one code sent, one hold at the bank.
 */
let suite: Suite;
let db: Knex;
let conn: amqp.ChannelModel;
let ch: amqp.Channel;
let replyQueue: string;
const replies = new Map<string, (body: { ok: boolean; result?: { id: string } }) => void>();

beforeAll(async () => {
  suite = await startSuite();
  db = openDatabase(suite.databaseUrl, { min: 0, max: 2 });
  conn = await amqp.connect(servers.amqp);
  ch = await conn.createChannel();
  replyQueue = (await ch.assertQueue('', { exclusive: true, autoDelete: true })).queue;
  await ch.consume(
    replyQueue,
    (msg) => {
      if (msg) {
        replies.get(String(msg.properties.correlationId))?.(JSON.parse(msg.content.toString('utf8')) as never);
      }
    },
    { noAck: true },
  );
});
afterAll(async () => {
  await conn?.close();
  await db?.destroy();
  await suite?.stop();
});

const queue = () => busNames(suite.busPrefix).dataRpcQueue;

/** Publishes a data request as the information server does; `answer` resolves with its next reply. */
function send(id: string, body: object): void {
  ch.sendToQueue(queue(), Buffer.from(JSON.stringify(body)), {
    messageId: id,
    correlationId: id,
    replyTo: replyQueue,
    expiration: '30000',
    contentType: 'application/json',
    // The data server serves only users it trusts (its own among them), as RabbitMQ vouches.
    userId: decodeURIComponent(new URL(servers.amqp).username) || 'guest',
  });
}

function answer(id: string): Promise<{ id: string }> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reply to ${id}`)), 20_000);
    replies.set(id, (body) => {
      clearTimeout(timer);
      replies.delete(id);
      return body.ok && body.result ? resolve(body.result) : reject(new Error(JSON.stringify(body)));
    });
  });
}

/**
 * Asks once; then, while the data server is down, puts the same request back in its queue as
 * the broker does for a consumer that died before acking (taken, then returned: redelivered).
 */
async function askTwice(body: object, cutShort?: (first: { id: string }) => Promise<void>): Promise<[{ id: string }, { id: string }]> {
  const id = randomUUID();
  const first = answer(id);
  send(id, body);
  const firstAnswer = await first;
  const second = answer(id);
  await suite.restartDataServer({}, async () => {
    await cutShort?.(firstAnswer);
    send(id, body);
    for (const deadline = Date.now() + 5000; Date.now() < deadline;) {
      const msg = await ch.get(queue(), { noAck: false });
      if (msg && msg.properties.messageId === id) {
        ch.nack(msg, false, true);
        return;
      }
      if (msg) {
        ch.nack(msg, false, true);
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error('the request never reached the queue');
  });
  return [firstAnswer, await second];
}

const rowsFor = async (table: string, column: string, value: string) =>
  (await db(table).where(column, value).count<Array<{ n: number }>>({ n: '*' }).first())?.n;

describe('a request redelivered after the data server died before answering', () => {
  beforeEach(() => suite.sim.inbox.clear());

  it('answers a verification start with the verification it already started: one code sent', async () => {
    const [first, again] = await askTwice({
      type: 'verification.start',
      version: 1,
      merchantId: suite.merchant.id,
      identifier: subscribers.alice.identifier,
      purpose: 'login',
    });
    expect(again.id).toBe(first.id);
    expect(suite.logs.filter((l) => l.includes('start delivered again'))).toHaveLength(1);
    const row = await db('verifications').where({ id: first.id }).first<{ request_id: string; status: string }>('request_id', 'status');
    expect(row).toEqual({ request_id: expect.any(String), status: 'pending' });
    expect(Number(await rowsFor('verifications', 'request_id', String(row?.request_id)))).toBe(1);
    await waitForInbox(suite, subscribers.alice.address, 1);
    expect(Number(await rowsFor('certificates', 'verification_id', first.id))).toBe(1);
  });

  it('answers a payment start with the payment it already made: one hold at the bank, one code', async () => {
    const [first, again] = await askTwice({
      type: 'payment.start',
      version: 1,
      merchantId: suite.merchant.id,
      source: { kind: 'card', identifier: subscribers.alice.identifier, cardToken: subscribers.alice.cardToken },
      transaction: { amount: 4_200, currency: 'EUR', payee: 'Night Train' },
    });
    expect(again.id).toBe(first.id);
    const payment = await db('payments').where({ id: first.id }).first<{ request_id: string; verification_id: string; state: string }>();
    expect(payment).toEqual(expect.objectContaining({ state: 'code_sent', verification_id: expect.any(String) }));
    expect(Number(await rowsFor('payments', 'request_id', String(payment?.request_id)))).toBe(1);
    expect(Number(await rowsFor('verifications', 'request_id', String(payment?.request_id)))).toBe(1);
    const bank = (await (await fetch(`${suite.bank.url}/authorizations`)).json()) as { authorizations: Array<{ reference: string }> };
    expect(bank.authorizations.filter((a) => a.reference === first.id)).toHaveLength(1);
    await waitForInbox(suite, subscribers.alice.address, 1);
  });

  it('goes on with a payment whose first delivery died after its code went out, before recording it', async () => {
    const payments = () => db('payments');
    let sentWith = '';
    const [first, again] = await askTwice(
      {
        type: 'payment.start',
        version: 1,
        merchantId: suite.merchant.id,
        source: { kind: 'card', identifier: subscribers.alice.identifier, cardToken: subscribers.alice.cardToken },
        transaction: { amount: 5_100, currency: 'EUR', payee: 'Night Train' },
      },
      // As the database was when the process died: authorized, verification started, no `code_sent`.
      async ({ id }) => {
        sentWith = String((await payments().where({ id }).first<{ verification_id: string }>())?.verification_id);
        await payments().where({ id }).update({ state: 'authorized', verification_id: null });
        await db('payment_events').where({ payment_id: id, to_state: 'code_sent' }).delete();
      },
    );
    expect(again.id).toBe(first.id);
    const payment = await payments().where({ id: first.id }).first<{ request_id: string; verification_id: string; state: string }>();
    expect(payment).toEqual(expect.objectContaining({ state: 'code_sent', verification_id: sentWith }));
    expect(Number(await rowsFor('verifications', 'request_id', String(payment?.request_id)))).toBe(1);
    const bank = (await (await fetch(`${suite.bank.url}/authorizations`)).json()) as { authorizations: Array<{ reference: string }> };
    expect(bank.authorizations.filter((a) => a.reference === first.id)).toHaveLength(1);
  });
});
