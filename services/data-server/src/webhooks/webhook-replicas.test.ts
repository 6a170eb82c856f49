import { randomBytes } from 'node:crypto';
import type { Knex } from '@outband/db';
import { createLogger } from '@outband/observability';
import { migratedDatabase } from '../platform/medium-test-db';
import { WebhookRepository } from './webhook.repository';
import { WebhookService } from './webhook.service';

// A medium test of two data servers (replicas) sending one webhook outbox, on the embedded
// database (SQLite in memory, every migration run). Only the merchant's endpoint is a fake: it
// fails the first try of each event.
const logger = createLogger({ service: 'test', level: 'silent' });
const keys = [{ id: 'w1', key: randomBytes(32) }];
const retryBaseMs = 10_000;
const t0 = Date.parse('2030-01-01T00:00:00Z');
let clock = t0;
let db: Knex;
let sends: Array<{ eventId: string; at: number; statusCode: number }>;

/** A promise and what resolves it. */
function signal() {
  let resolve = () => undefined as void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** A repository whose claims wait until the test lets them go, once it has seen them arrive. */
class HeldRepository extends WebhookRepository {
  readonly arrived = signal();
  readonly release = signal();
  override async claim(ids: number[], now: Date, leaseMs: number) {
    this.arrived.resolve();
    await this.release.promise;
    return super.claim(ids, now, leaseMs);
  }
}

function replica(repo: WebhookRepository): WebhookService {
  return new WebhookService({
    repo,
    keys,
    retryBaseMs,
    giveUpMs: 3_600_000,
    timeoutMs: 1000,
    destinations: { allowHttp: false, allowedHosts: new Set<string>() },
    maxEndpoints: 5,
    concurrency: { total: 10, perMerchant: 10 },
    send: (_url, headers) => {
      const eventId = headers['outband-event-id'] ?? '';
      const statusCode = sends.some((s) => s.eventId === eventId) ? 200 : 500;
      sends.push({ eventId, at: clock, statusCode });
      return Promise.resolve({ kind: 'answered', statusCode });
    },
    clock: () => new Date(clock),
    logger,
  });
}

beforeEach(async () => {
  db = await migratedDatabase();
  clock = t0;
  sends = [];
  await db('merchants').insert({ id: 'shop', name: 'shop' });
});
afterEach(async () => {
  await db.destroy();
});

it('two replicas send each try of a delivery once, the retry no sooner than its backoff, and count every try', async () => {
  const held = new HeldRepository(db);
  const a = replica(new WebhookRepository(db));
  const b = replica(held);
  const endpoint = await a.register({ merchantId: 'shop', url: 'https://hooks.example.com/', events: ['verification.canceled'] });
  for (const n of [1, 2, 3]) {
    await held.enqueue([endpoint.id], 'shop', `evt_${n}`, 'verification.canceled', '{}', new Date(clock));
  }
  // B reads the three due deliveries; before it claims them, A sends them and sets their backoff.
  const late = b.deliverDue();
  await held.arrived.promise;
  expect(await a.deliverDue()).toBe(3);
  await a.idle();
  held.release.resolve();
  expect(await late).toBe(0);
  expect(sends.map((s) => s.statusCode)).toEqual([500, 500, 500]);

  clock = t0 + retryBaseMs - 1;
  expect(await Promise.all([a.deliverDue(), b.deliverDue()])).toEqual([0, 0]);
  clock = t0 + retryBaseMs;
  const started = await Promise.all([a.deliverDue(), b.deliverDue()]);
  await Promise.all([a.idle(), b.idle()]);
  expect(started[0] + started[1]).toBe(3);
  // Each event: one failed try at t0, one retry once its backoff was over, and nothing more.
  expect(sends.map((s) => [s.eventId, s.statusCode, s.at]).sort()).toEqual(
    ['evt_1', 'evt_2', 'evt_3'].flatMap((e) => [
      [e, 200, t0 + retryBaseMs],
      [e, 500, t0],
    ]),
  );
  const rows = await db('webhook_deliveries').select<Array<{ status: string; attempts: number }>>('status', 'attempts');
  expect(rows).toEqual(Array.from({ length: 3 }, () => ({ status: 'delivered', attempts: 2 })));
});
