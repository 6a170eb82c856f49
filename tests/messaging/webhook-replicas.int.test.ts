import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { MemoryBroker } from '@outband/bus';
import { busNames, seal } from '@outband/contracts';
import { openDatabase, type Knex } from '@outband/db';
import { createLogger } from '@outband/observability';
import { inMemoryTtlStore } from '@outband/redis-limits';
import { dataServerEnv, seedDemo, startDataServer, type DataServerHandle } from '@outband/data-server';
import { eventually } from '../support/http';
import { servers } from '../support/servers';

// Two data servers (replicas) on one MariaDB database drain one webhook outbox. The bus and the
// TTL store are in-process: only the database is shared, as the outbox is.

/** One call the receiver got, with the delivery's row as it stood then. */
interface Call {
  eventId: string;
  at: number;
  status: number;
  nextAttemptAt: number;
  attempts: number;
}

const id = `t${randomBytes(5).toString('hex')}`;
const databaseUrl = `${servers.mysql}/outband_test_${id}`;
const merchants = ['a', 'b', 'c'].map((m) => `shop-${m}-${id}`);
const events = 900;
const retryBaseMs = 300;
const ring = () => `k1:${randomBytes(32).toString('base64')}`;
const env = {
  AMQP_URL: servers.amqp,
  REDIS_URL: servers.redis,
  BUS_PREFIX: `outband-${id}`,
  REDIS_PREFIX: `outband-${id}`,
  DATABASE_URL: databaseUrl,
  OPS_PORT: '0',
  OPS_HOST: '127.0.0.1',
  LOG_LEVEL: 'error',
  CODE_KEYS: ring(),
  CODE_MAC_KEYS: ring(),
  BUS_SEAL_KEYS: ring(),
  CONTENT_KEYS: ring(),
  WEBHOOK_ALLOW_HTTP: 'true',
  WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
  WEBHOOK_POLL_MS: '100',
  WEBHOOK_RETRY_BASE_MS: String(retryBaseMs),
  WEBHOOK_CONCURRENCY: '50',
  WEBHOOK_CONCURRENCY_PER_MERCHANT: '20',
};
const config = dataServerEnv.parse(env);

let db: Knex;
let receiver: Server;
let url = '';
let replicas: DataServerHandle[] = [];
const calls: Call[] = [];
beforeAll(async () => {
  for (const m of merchants) {
    await seedDemo(databaseUrl, { merchant: { id: m, name: m, keys: [] }, subscribers: [] });
  }
  db = openDatabase(databaseUrl, { min: 0, max: 4 });
  // Fails the first try of each event; records every call with the row's next_attempt_at then
  // (a claim leaves it as the last settle set it: the backoff the try had to wait for).
  const tried = new Set<string>();
  receiver = createServer((req, res) => {
    const at = Date.now();
    const eventId = String(req.headers['outband-event-id']);
    const status = tried.has(eventId) ? 200 : 500;
    tried.add(eventId);
    req.resume();
    void db('webhook_deliveries')
      .where({ event_id: eventId })
      .first<{ next_attempt_at: Date; attempts: number }>('next_attempt_at', 'attempts')
      .then((row) => {
        calls.push({ eventId, at, status, nextAttemptAt: row?.next_attempt_at.getTime() ?? NaN, attempts: Number(row?.attempts) });
        res.writeHead(status).end();
      });
  });
  await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hooks`;
  const broker = new MemoryBroker(busNames(env.BUS_PREFIX));
  for (const n of [1, 2]) {
    const logger = createLogger({ service: `data-server-${n}`, level: 'error' });
    replicas.push(await startDataServer(config, logger, { bus: broker.connect(logger), redis: inMemoryTtlStore() }));
  }
});
afterAll(async () => {
  await Promise.all(replicas.map((r) => r.stop()));
  replicas = [];
  await new Promise((r) => receiver?.close(r));
  await db?.raw(`DROP DATABASE IF EXISTS \`outband_test_${id}\``);
  await db?.destroy();
});

it('two replicas send each event once per try, never before its backoff, and count every try', async () => {
  const keys = config.CONTENT_KEYS ?? [];
  const now = new Date();
  await db('webhook_endpoints').insert(
    merchants.map((m) => ({
      id: `we_${m}`,
      merchant_id: m,
      url: `${url}/${m}`,
      events: 'verification.*',
      sealed_secret: seal(keys, 'whsec_test', `we_${m}`),
      status: 'active',
      created_at: now,
    })),
  );
  const rows = Array.from({ length: events }, (_, i) => {
    const m = merchants[i % merchants.length] ?? '';
    const payload = JSON.stringify({ id: `evt_${i}`, type: 'verification.approved', data: {} });
    return { endpoint_id: `we_${m}`, merchant_id: m, event_id: `evt_${i}`, event_type: 'verification.approved', payload };
  });
  const queuedAt = Date.now();
  await db('webhook_deliveries').insert(
    rows.map((r) => ({ ...r, status: 'pending', attempts: 0, created_at: new Date(queuedAt), next_attempt_at: new Date(queuedAt) })),
  );

  // Every delivery recorded as delivered: the signal that both replicas are done.
  const delivered = await eventually(async () => {
    const row = await db('webhook_deliveries').where({ status: 'delivered' }).count<{ n: number }[]>({ n: '*' }).first();
    return Number(row?.n ?? 0) === events ? events : undefined;
  }, 60_000);
  const drainedMs = Date.now() - queuedAt;
  console.log(
    `${events} events (each failing once) drained by 2 replicas in ${drainedMs} ms: ${Math.round((events * 2 * 1000) / drainedMs)} tries/s`,
  );
  expect(delivered).toBe(events);

  const byEvent = new Map<string, Call[]>();
  for (const c of calls) {
    byEvent.set(c.eventId, [...(byEvent.get(c.eventId) ?? []), c]);
  }
  expect(byEvent.size).toBe(events);
  const duplicated = [...byEvent].filter(([, tries]) => tries.length !== 2).map(([e]) => e);
  expect(duplicated).toEqual([]);
  const tries = [...byEvent.values()];
  // The retry came no sooner than the backoff the failed try set, which itself began after that try.
  expect(tries.filter(([, retry]) => (retry?.at ?? 0) < (retry?.nextAttemptAt ?? Infinity))).toEqual([]);
  expect(tries.filter(([first, retry]) => (retry?.nextAttemptAt ?? 0) < (first?.at ?? Infinity) + retryBaseMs)).toEqual([]);
  // Each try was counted by its claim, before it was sent.
  expect(
    tries.filter(([first, retry]) => first?.status !== 500 || first.attempts !== 1 || retry?.status !== 200 || retry.attempts !== 2),
  ).toEqual([]);
  const settled = await db('webhook_deliveries').select<Array<{ attempts: number; status: string }>>('attempts', 'status');
  expect(settled.filter((r) => r.status !== 'delivered' || Number(r.attempts) !== 2)).toEqual([]);
});
