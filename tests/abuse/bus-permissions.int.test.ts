import { randomUUID } from 'node:crypto';
import * as amqp from 'amqplib';
import { Bus } from '@outband/bus';
import { busNames } from '@outband/contracts';
import { createLogger } from '@outband/observability';
import { openDatabase } from '@outband/db';
import { createBrokerUsers, grantAdministrator, type BrokerUsers, type Service } from '../support/broker-users';
import { api, eventually, readCode } from '../support/http';
import { servers, startSuite, subscribers, type Suite } from '../support/suite';

/**
 * The broker as docker-compose.yml sets it up: one user per service in a vhost of ours, with the
 * permissions of infra/rabbitmq/definitions.json (loaded into a temporary vhost here). The three
 * services run a login through those users; each user is refused what belongs to another; and the
 * data server serves its requests only to the information server's user, as RabbitMQ vouches
 * through `user_id`.
 */
const names = busNames('outband');
let users: BrokerUsers;
let suite: Suite;
const connections: amqp.ChannelModel[] = [];

beforeAll(async () => {
  users = createBrokerUsers();
  suite = await startSuite({
    env: {
      AMQP_URL: users.url('data'),
      // The vhost isolates the run: the names are the production ones the regexes cover.
      BUS_PREFIX: 'outband',
      RPC_TRUSTED_USERS: users.names.information,
      MESSAGE_SERVER_USERS: users.names.message,
    },
    messageEnv: () => ({ AMQP_URL: users.url('message'), DATA_SERVER_USERS: users.names.data }),
    infoEnv: () => ({ AMQP_URL: users.url('information') }),
  });
});
afterAll(async () => {
  await Promise.all(connections.map((c) => c.close().catch(() => undefined)));
  try {
    await suite?.stop();
  } finally {
    users?.remove();
  }
});

async function connectAs(service: Service): Promise<amqp.ChannelModel> {
  const conn = await amqp.connect(users.url(service));
  connections.push(conn);
  return conn;
}

/** Runs `act` on a fresh confirm channel: 'ok' once the broker confirmed, else the code it closed the channel with. */
async function attempt(conn: amqp.ChannelModel, act: (ch: amqp.ConfirmChannel) => unknown): Promise<'ok' | number> {
  const ch = await conn.createConfirmChannel();
  const closed = new Promise<number>((resolve) => ch.once('error', (e: { code?: number }) => resolve(e.code ?? -1)));
  const done = (async () => {
    await act(ch);
    await ch.waitForConfirms();
    await ch.close();
    return 'ok' as const;
  })();
  return Promise.race([closed, done.catch(() => closed)]);
}

const send = (routingKey: string) => (ch: amqp.ConfirmChannel) => ch.publish(names.eventsExchange, routingKey, Buffer.from('{}'));
const consume = (queue: string) => (ch: amqp.ConfirmChannel) => ch.consume(queue, () => undefined);

describe('per-service broker users (infra/rabbitmq/definitions.json)', () => {
  it('run a login end to end: the data server declared the topology, the others only found it', async () => {
    const start = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } });
    expect(start.status).toBe(201);
    const code = await readCode(suite, subscribers.alice.address);
    const check = await api(suite, 'POST', `/v1/verifications/${String(start.body.id)}/check`, { body: { code } });
    expect(check.body.status).toBe('approved');
    // The delivery report came back from the message server through its own user.
    await eventually(async () => {
      const r = await api(suite, 'GET', `/v1/verifications/${String(start.body.id)}`);
      return (r.body.delivery as { state?: string } | undefined)?.state === 'delivered' ? true : undefined;
    });
    const topology = suite.logs.filter((l) => l.includes('bus topology'));
    expect(topology.filter((l) => l.includes('"service":"data-server"') && l.includes('"topology":"declared"'))).not.toHaveLength(0);
    expect(topology.filter((l) => l.includes('"service":"message-server"') && l.includes('"topology":"checked"'))).not.toHaveLength(0);
    expect(topology.filter((l) => l.includes('"service":"information-server"') && l.includes('"topology":"checked"'))).not.toHaveLength(0);
  });

  it("keep the information server's user off the other services' queues and exchanges", async () => {
    const info = await connectAs('information');
    expect(await attempt(info, consume(names.dataRpcQueue))).toBe(403);
    expect(await attempt(info, consume(names.inboundQueue))).toBe(403);
    expect(await attempt(info, consume(names.messageSendQueue))).toBe(403);
    expect(await attempt(info, send(names.routingKeys.messageSend))).toBe(403);
    expect(await attempt(info, (ch) => ch.publish(names.deadExchange, names.dataRpcQueue, Buffer.from('{}')))).toBe(403);
    expect(await attempt(info, (ch) => ch.assertQueue('outband.anything'))).toBe(403);
    expect(await attempt(info, (ch) => ch.deleteQueue(names.dataRpcQueue))).toBe(403);
  });

  it('let each service publish only its own routing keys and consume only its own queues', async () => {
    const message = await connectAs('message');
    const data = await connectAs('data');
    expect(await attempt(message, consume(names.dataRpcQueue))).toBe(403);
    expect(await attempt(message, send(names.routingKeys.messageSend))).toBe(403);
    expect(await attempt(message, (ch) => ch.assertExchange(names.eventsExchange, 'topic', { durable: true }))).toBe(403);
    expect(await attempt(data, send(names.routingKeys.messageStatus))).toBe(403);
    expect(await attempt(data, send(names.routingKeys.messageInbound))).toBe(403);
  });

  it("refuse a message whose user_id is another user's (the broker checks it)", async () => {
    const info = await connectAs('information');
    const forged = (ch: amqp.ConfirmChannel) =>
      ch.sendToQueue(names.dataRpcQueue, Buffer.from('{}'), { userId: users.names.data, replyTo: 'amq.rabbitmq.reply-to' });
    expect(await attempt(info, forged)).toBe(406);
  });
});

describe('the data server authenticates who calls it', () => {
  const keysRequest = () => ({ type: 'merchant.keys.get', version: 1, merchantId: suite.merchant.id });
  const moveNumber = {
    type: 'admin.action',
    version: 1,
    actor: 'intruder',
    action: 'subscriber.upsert',
    identifier: subscribers.bob.identifier,
    address: '+33700000099',
  };

  it("answers the information server's user", async () => {
    const bus = await Bus.connect({ url: users.url('information'), names, logger: createLogger({ service: 'test', level: 'silent' }) });
    try {
      await expect(bus.request(names.dataRpcQueue, keysRequest(), 10_000)).resolves.toMatchObject({ merchantId: suite.merchant.id });
    } finally {
      await bus.close();
    }
  });

  it("refuses merchant keys and admin actions to another service's user, with CALLER_FORBIDDEN, and logs it", async () => {
    const bus = await Bus.connect({ url: users.url('message'), names, logger: createLogger({ service: 'test', level: 'silent' }) });
    try {
      await expect(bus.request(names.dataRpcQueue, keysRequest(), 10_000)).rejects.toMatchObject({
        code: 'CALLER_FORBIDDEN',
        kind: 'forbidden',
      });
      await expect(bus.request(names.dataRpcQueue, moveNumber, 10_000)).rejects.toMatchObject({ code: 'CALLER_FORBIDDEN' });
    } finally {
      await bus.close();
    }
    const refused = suite.logs.filter((l) => l.includes('untrusted broker user refused') && l.includes(users.names.message));
    expect(refused.length).toBeGreaterThanOrEqual(2);
    // The subscriber's number did not move.
    const db = openDatabase(suite.databaseUrl, { min: 0, max: 1 });
    try {
      const row = await db('subscribers').where({ identifier: subscribers.bob.identifier }).first<{ address: string }>('address');
      expect(row?.address).toBe(subscribers.bob.address);
    } finally {
      await db.destroy();
    }
  });

  it('refuses a request without user_id, even from the information server', async () => {
    const info = await connectAs('information');
    const ch = await info.createChannel();
    const id = randomUUID();
    const reply = new Promise<{ ok: boolean; error?: { code: string }; result?: unknown }>((resolve) => {
      void ch.consume(
        'amq.rabbitmq.reply-to',
        (msg) => {
          if (msg?.properties.correlationId === id) {
            resolve(JSON.parse(msg.content.toString('utf8')) as never);
          }
        },
        { noAck: true },
      );
    });
    ch.sendToQueue(names.dataRpcQueue, Buffer.from(JSON.stringify(keysRequest())), {
      replyTo: 'amq.rabbitmq.reply-to',
      correlationId: id,
      messageId: id,
      contentType: 'application/json',
    });
    const answer = await reply;
    expect(answer).toMatchObject({ ok: false, error: { code: 'CALLER_FORBIDDEN' } });
    expect(JSON.stringify(answer)).not.toContain(suite.merchant.secret);
  });

  it("dead-letters a handset message that did not come from the message server's user", async () => {
    // The default exchange reaches every queue and cannot be restricted per queue: user_id is the guard.
    const info = await connectAs('information');
    const forged = {
      type: 'message.inbound',
      version: 1,
      inboundId: randomUUID(),
      source: subscribers.alice.address,
      destination: '38100',
      text: '123456',
      connection: 'default',
      receivedAt: new Date().toISOString(),
    };
    const published = await attempt(info, (ch) =>
      ch.sendToQueue(names.inboundQueue, Buffer.from(JSON.stringify(forged)), {
        userId: users.names.information,
        messageId: forged.inboundId,
      }),
    );
    expect(published).toBe('ok');
    grantAdministrator(users.vhost);
    const admin = await amqp.connect(`${servers.amqp}/${encodeURIComponent(users.vhost)}`);
    connections.push(admin);
    const ch = await admin.createChannel();
    const dead = await eventually(async () => {
      const msg = await ch.get(`${names.inboundQueue}.dead`, { noAck: true });
      return msg && msg.properties.messageId === forged.inboundId ? msg : undefined;
    });
    expect(String((dead.properties.headers as Record<string, unknown>)['x-outband-dead-reason'])).toContain('forbidden');
  });
});
