import { execFileSync } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import * as amqp from 'amqplib';
import { z } from 'zod';
import { Bus, MemoryBroker, deleteTopology, sideQueues, type MessageBus } from '@outband/bus';
import { busNames } from '@outband/contracts';
import { AppError } from '@outband/errors';
import { createLogger } from '@outband/observability';
import { eventually } from '../support/http';
import { statusWith } from '../support/bus-bodies';
import { servers } from '../support/suite';

const names = busNames(`outband-bus-${randomBytes(4).toString('hex')}`);
const logger = createLogger({ service: 'bus-test', level: 'silent' });
const schema = z.object({ type: z.literal('message.status'), version: z.literal(1), n: z.number() });
const queue = names.messageStatusQueue;

let conn: amqp.ChannelModel;
let ch: amqp.Channel;
const buses: MessageBus[] = [];

/** One bus implementation under the conformance suite, and how a test reaches around it. */
interface Implementation {
  connect(): Promise<MessageBus>;
  sendRaw(queue: string, text: string): Promise<void>;
  deadLetters(): Promise<Array<{ body: string; reason: unknown }>>;
  purge(queue: string): Promise<void>;
}

const rabbitmq: Implementation = {
  async connect() {
    const bus = await Bus.connect({ url: servers.amqp, names, logger });
    buses.push(bus);
    return bus;
  },
  sendRaw: (q, text) => Promise.resolve(void ch.sendToQueue(q, Buffer.from(text))),
  async deadLetters() {
    const out: Array<{ body: string; reason: unknown }> = [];
    for (;;) {
      const msg = await ch.get(sideQueues(queue).dead, { noAck: true });
      if (!msg) {
        return out;
      }
      out.push({ body: msg.content.toString(), reason: msg.properties.headers?.['x-outband-dead-reason'] });
    }
  },
  purge: async (q) => {
    await ch.purgeQueue(q);
  },
};

let broker = new MemoryBroker(names);
const inProcess: Implementation = {
  connect() {
    const bus = broker.connect(logger);
    buses.push(bus);
    return Promise.resolve(bus);
  },
  sendRaw: (q, text) => Promise.resolve(broker.sendRaw(q, text)),
  deadLetters: () => Promise.resolve(broker.takeDeadLetters(queue).map((d) => ({ body: d.text, reason: d.reason }))),
  purge: (q) => Promise.resolve(broker.purge(q)),
};

async function closeFromBroker(localPort: number): Promise<void> {
  const lines = execFileSync('rabbitmqctl', ['list_connections', '-q', '--no-table-headers', 'pid', 'name'], { encoding: 'utf8' }).split(
    '\n',
  );
  const list = lines.map((l) => l.split('\t')).map(([pid = '', name = '']) => ({ pid, name }));
  const ours = list.find((c) => c.name.startsWith(`127.0.0.1:${localPort} `));
  if (!ours) {
    throw new Error(`no broker connection from port ${localPort}`);
  }
  execFileSync('rabbitmqctl', ['close_connection', ours.pid, 'test: broker-side close']);
}

beforeAll(async () => {
  conn = await amqp.connect(servers.amqp);
  ch = await conn.createChannel();
});

afterEach(async () => {
  await Promise.all(buses.splice(0).map((b) => b.close()));
  await ch.purgeQueue(queue).catch(() => undefined);
  await ch.purgeQueue(sideQueues(queue).retry).catch(() => undefined);
  await ch.purgeQueue(sideQueues(queue).dead).catch(() => undefined);
  broker = new MemoryBroker(names);
});

afterAll(async () => {
  await deleteTopology(ch, names);
  await conn.close();
});

// One suite, run against RabbitMQ and against the in-process bus of the embedded default.
describe.each([
  ['RabbitMQ', rabbitmq],
  ['the in-process bus', inProcess],
])('bus conformance: %s', (_name, impl) => {
  const connect = () => impl.connect();
  const deadLetters = () => impl.deadLetters();
  it('declares durable queues and delivers persistent messages with confirms', async () => {
    const bus = await connect();
    const got: number[] = [];
    await bus.consume(queue, schema, async (m) => {
      got.push(m.n);
    });
    for (let n = 0; n < 20; n++) {
      await bus.publish(names.eventsExchange, names.routingKeys.messageStatus, statusWith(n));
    }
    await eventually(async () => (got.length === 20 ? true : undefined));
    expect(got.sort((a, b) => a - b)).toEqual([...Array(20).keys()]);
  });

  it('dead-letters an invalid message with its reason and never retries it', async () => {
    const bus = await connect();
    let calls = 0;
    await bus.consume(queue, schema, async () => {
      calls += 1;
    });
    await impl.sendRaw(queue, '{"type":"message.status","version":1,"n":"nope"}');
    await impl.sendRaw(queue, 'not json');
    const dead = await eventually(async () => {
      const d = await deadLetters();
      return d.length > 0 ? d : undefined;
    });
    const more = await eventually(async () => {
      const d = await deadLetters();
      return dead.length + d.length >= 2 ? d : undefined;
    });
    const all = [...dead, ...more];
    const reasons = all.map((d) => String(d.reason)).sort();
    expect(reasons[0]).toBe('invalid message: body is not JSON');
    expect(reasons[1]).toMatch(/^invalid message: n: /);
    expect(calls).toBe(0);
  });

  it('retries a transient failure with a delay a bounded number of times, then dead-letters it', async () => {
    const bus = await connect();
    const attempts: number[] = [];
    await bus.consume(
      queue,
      schema,
      async (_m, ctx) => {
        attempts.push(ctx.attempt);
        throw new Error('database down');
      },
      { maxRetries: 2, retryBaseMs: 50 },
    );
    await bus.publish(names.eventsExchange, names.routingKeys.messageStatus, statusWith(1));
    const dead = await eventually(async () => {
      const d = await deadLetters();
      return d.length > 0 ? d : undefined;
    });
    expect(attempts).toEqual([0, 1, 2]);
    expect(String(dead[0]?.reason)).toBe('gave up after 2 retries: database down');
  });

  it('dead-letters a permanent error at once', async () => {
    const bus = await connect();
    let calls = 0;
    await bus.consume(queue, schema, async () => {
      calls += 1;
      throw new AppError('invalid_input', 'NOPE', 'cannot ever work');
    });
    await bus.publish(names.eventsExchange, names.routingKeys.messageStatus, statusWith(1));
    const dead = await eventually(async () => {
      const d = await deadLetters();
      return d.length > 0 ? d : undefined;
    });
    expect(calls).toBe(1);
    expect(String(dead[0]?.reason)).toBe('permanent error: cannot ever work');
  });

  it('answers requests, carries AppErrors back, and times out when nobody answers', async () => {
    const server = await connect();
    const client = await connect();
    const rpcSchema = z.object({ q: z.string() });
    await expect(client.request(names.dataRpcQueue, { q: 'x' }, 300)).rejects.toMatchObject({ code: 'UPSTREAM_TIMEOUT' });
    await server.serve(names.dataRpcQueue, rpcSchema, async (req) => {
      if (req.q === 'fail') {
        throw new AppError('not_found', 'THING_UNKNOWN', 'no such thing');
      }
      return { echo: req.q };
    });
    await impl.purge(names.dataRpcQueue);
    expect(await client.request(names.dataRpcQueue, { q: 'hello' }, 2000)).toEqual({ echo: 'hello' });
    await expect(client.request(names.dataRpcQueue, { q: 'fail' }, 2000)).rejects.toMatchObject({
      code: 'THING_UNKNOWN',
      kind: 'not_found',
    });
    await expect(client.request(names.dataRpcQueue, { bad: 1 }, 2000)).rejects.toMatchObject({ code: 'INVALID_MESSAGE' });
  });
});

describe('bus on RabbitMQ', () => {
  const connect = () => rabbitmq.connect();
  it('reconnects after the connection drops and loses no published message', async () => {
    const bus = await connect();
    const got = new Set<number>();
    await bus.consume(queue, schema, async (m) => {
      got.add(m.n);
    });
    await bus.publish(names.eventsExchange, names.routingKeys.messageStatus, statusWith(0));
    // The broker closes our connection, as it does when it restarts.
    const internals = bus as unknown as { conn: { connection: { stream: { localPort: number } } } };
    await closeFromBroker(internals.conn.connection.stream.localPort);
    await eventually(async () => (bus.connected ? undefined : true));
    // Published while the link is down: it waits for the reconnect, then is confirmed.
    await bus.publish(names.eventsExchange, names.routingKeys.messageStatus, statusWith(1), { messageId: randomUUID() });
    expect(bus.connected).toBe(true);
    await bus.publish(names.eventsExchange, names.routingKeys.messageStatus, statusWith(2));
    await eventually(async () => (got.size === 3 ? true : undefined));
    expect([...got].sort()).toEqual([0, 1, 2]);
  });

  it('runs on quorum queues when configured, with no code change', async () => {
    const qnames = busNames(`outband-quorum-${randomBytes(4).toString('hex')}`);
    const bus = await Bus.connect({ url: servers.amqp, names: qnames, logger, queueType: 'quorum' });
    buses.push(bus);
    const got: number[] = [];
    await bus.consume(qnames.messageStatusQueue, schema, async (m) => {
      got.push(m.n);
    });
    await bus.publish(qnames.eventsExchange, qnames.routingKeys.messageStatus, statusWith(7));
    await eventually(async () => (got.length === 1 ? true : undefined));
    const types = execFileSync('rabbitmqctl', ['list_queues', '-q', '--no-table-headers', 'name', 'type'], { encoding: 'utf8' })
      .split('\n')
      .filter((l) => l.startsWith(qnames.messageStatusQueue));
    expect(types.map((l) => l.split('\t')[1]).every((t) => t === 'quorum')).toBe(true);
    expect(types).toHaveLength(3);
    await bus.close();
    await deleteTopology(ch, qnames);
  });

  it('fails start-up at once, saying what to do, when QUEUE_TYPE=quorum meets classic queues', async () => {
    const snames = busNames(`outband-switch-${randomBytes(4).toString('hex')}`);
    const classic = await Bus.connect({ url: servers.amqp, names: snames, logger });
    try {
      const began = Date.now();
      // Before: retried every 0.5 s until connectTimeoutMs, and a service never opened its ops port.
      const refused = await Bus.connect({ url: servers.amqp, names: snames, logger, queueType: 'quorum', connectTimeoutMs: 20_000 }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(Date.now() - began).toBeLessThan(5000);
      expect(refused).toMatchObject({ code: 'CONFIG_INVALID', retryable: false });
      expect((refused as Error).message).toContain(`queue '${snames.dataRpcQueue}' is a classic queue but QUEUE_TYPE is quorum`);
      expect((refused as Error).message).toContain('docs/operations.md');
      // The queues and the bus already on them are untouched.
      const got: number[] = [];
      await classic.consume(snames.messageStatusQueue, schema, async (m) => {
        got.push(m.n);
      });
      await classic.publish(snames.eventsExchange, snames.routingKeys.messageStatus, statusWith(3));
      await eventually(async () => (got.length === 1 ? true : undefined));
    } finally {
      await classic.close();
      await deleteTopology(ch, snames);
    }
  });
});
