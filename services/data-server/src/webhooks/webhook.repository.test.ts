import type { Knex } from '@outband/db';
import { migratedDatabase } from '../platform/medium-test-db';
import { WebhookRepository } from './webhook.repository';

// A medium test on the embedded database (SQLite in memory, every migration run).
let db: Knex;
let repo: WebhookRepository;
beforeEach(async () => {
  db = await migratedDatabase();
  repo = new WebhookRepository(db);
});
afterEach(async () => {
  await db.destroy();
});

const t0 = Date.parse('2030-01-01T00:00:00Z');
const at = (s: number) => new Date(t0 + s * 1000);
const now = at(1000);

/** Queues `n` events for the merchant's endpoint, the i-th due at second `from + i`. */
async function queue(merchantId: string, n: number, from: number): Promise<void> {
  const e = { id: `we_${merchantId}`, merchantId, url: 'https://hooks.example.com/', events: ['verification.*'], sealedSecret: '' };
  await db('merchants').insert({ id: merchantId, name: merchantId });
  await repo.insertEndpoint({ ...e, createdAt: at(0) });
  for (let i = 0; i < n; i++) {
    await repo.enqueue([`we_${merchantId}`], merchantId, `evt_${merchantId}_${i}`, 'verification.canceled', '{}', at(from + i));
  }
}
/** The event ids of the due deliveries, in the order `dueFairly` ranks them. */
async function due(o: { limit: number; perMerchant: number; skip?: string[] }): Promise<string[]> {
  const ranked = await repo.dueFairly(now, { skip: [], ...o });
  const rows = await db('webhook_deliveries')
    .whereIn(
      'id',
      ranked.map((d) => d.id),
    )
    .select<Array<{ id: number; event_id: string }>>('id', 'event_id');
  const eventOf = new Map(rows.map((r) => [Number(r.id), r.event_id]));
  return ranked.map((d) => eventOf.get(d.id) ?? '?');
}

describe('WebhookRepository.dueFairly', () => {
  it("takes merchants round-robin, oldest first, and reaches those behind another merchant's backlog", async () => {
    await queue('a', 30, 0);
    await queue('c', 3, 50);
    await queue('b', 1, 100);
    // The first window (limit × perMerchant rows) holds only a's backlog: the next pass skips a.
    expect(await due({ limit: 6, perMerchant: 2 })).toEqual(['evt_a_0', 'evt_c_0', 'evt_b_0', 'evt_a_1', 'evt_c_1']);
    expect(await due({ limit: 2, perMerchant: 2 })).toEqual(['evt_a_0', 'evt_a_1']);
    expect(await due({ limit: 6, perMerchant: 2, skip: ['a'] })).toEqual(['evt_c_0', 'evt_b_0', 'evt_c_1']);
    expect(await due({ limit: 0, perMerchant: 2 })).toEqual([]);
  });

  it('leaves out what is not due: leased, later, delivered', async () => {
    await queue('a', 3, 0);
    await queue('b', 1, 2000);
    const [first, second] = await repo.dueFairly(now, { limit: 10, perMerchant: 10, skip: [] });
    expect(await repo.claim([first?.id ?? 0], now, 60_000)).toHaveLength(1);
    const [leased] = await repo.claim([second?.id ?? 0], now, 60_000);
    await repo.settle(leased ?? { id: 0, claimToken: '' }, {
      status: 'delivered',
      statusCode: 200,
      error: null,
      nextAttemptAt: now,
      at: now,
    });
    expect(await due({ limit: 10, perMerchant: 10 })).toEqual(['evt_a_2']);
  });

  it('reads due rows through the (status, next_attempt_at, merchant_id) index, in its order', async () => {
    const indexes = await db.raw<Array<{ name: string }>>(
      "select name from sqlite_master where type = 'index' and tbl_name = 'webhook_deliveries'",
    );
    expect(indexes.map((i) => i.name)).toContain('webhook_deliveries_due_index');
    expect(indexes.map((i) => i.name)).not.toContain('webhook_deliveries_status_next_attempt_at_index');
    // The plan of the window query dueFairly runs (with a merchant skipped): no sort of its own.
    const windows: Array<{ sql: string; bindings: unknown[] }> = [];
    db.on('query', (q: { sql: string; bindings: unknown[] }) => {
      if (q.sql.startsWith('select `id`, `merchant_id`')) {
        windows.push(q);
      }
    });
    await repo.dueFairly(now, { limit: 5, perMerchant: 2, skip: ['a'] });
    expect(windows).toHaveLength(1);
    const window = windows[0] ?? { sql: '', bindings: [] };
    const plan = await db.raw<Array<{ detail: string }>>(`explain query plan ${window.sql}`, window.bindings as Knex.RawBinding[]);
    expect(plan.map((p) => p.detail).join('\n')).toMatch(/USING INDEX webhook_deliveries_due_index/);
    expect(plan.map((p) => p.detail).join('\n')).not.toMatch(/TEMP B-TREE/);
  });
});

describe('WebhookRepository.claim: two replicas on one database', () => {
  const leaseMs = 15_000;
  const settled = { status: 'pending' as const, statusCode: 500, error: 'answered 500', at: now };
  const row = (id: number) =>
    db('webhook_deliveries').where({ id }).first<{ attempts: number; last_status_code: number | null; next_attempt_at: Date }>();

  it('leases a delivery to one claim at a time and counts each try; a settle after the lease was taken over is refused', async () => {
    const other = new WebhookRepository(db);
    await queue('a', 3, 0);
    const ids = (await repo.dueFairly(now, { limit: 10, perMerchant: 10, skip: [] })).map((d) => d.id);
    const mine = await repo.claim(ids.slice(0, 2), now, leaseMs);
    expect(mine.map((d) => d.attempts)).toEqual([1, 1]);
    // The other replica read the same three: it gets only the one not leased.
    expect((await other.claim(ids, now, leaseMs)).map((d) => d.eventId)).toEqual(['evt_a_2']);
    expect(await other.claim(ids, at(1010), leaseMs)).toEqual([]);
    // This replica's tries outlived their lease: the other takes them over, and its settle stands.
    const later = at(1000 + leaseMs / 1000 + 1);
    const theirs = await other.claim(ids.slice(0, 2), later, leaseMs);
    expect(theirs.map((d) => [d.eventId, d.attempts])).toEqual([
      ['evt_a_0', 2],
      ['evt_a_1', 2],
    ]);
    const [stale] = mine;
    expect(await repo.settle(stale ?? { id: 0, claimToken: '' }, { ...settled, nextAttemptAt: at(5000) })).toBe(false);
    expect(await row(stale?.id ?? 0)).toMatchObject({ attempts: 2, last_status_code: null });
    expect(await other.settle(theirs[0] ?? { id: 0, claimToken: '' }, { ...settled, nextAttemptAt: at(2000) })).toBe(true);
    expect(await row(stale?.id ?? 0)).toMatchObject({ attempts: 2, last_status_code: 500, next_attempt_at: at(2000) });
  });

  it('respects the backoff a settle set, even for a replica that read the delivery before it', async () => {
    const other = new WebhookRepository(db);
    await queue('a', 1, 0);
    const read = (await other.dueFairly(now, { limit: 10, perMerchant: 10, skip: [] })).map((d) => d.id);
    const [tried] = await repo.claim(read, now, leaseMs);
    expect(await repo.settle(tried ?? { id: 0, claimToken: '' }, { ...settled, nextAttemptAt: at(1010) })).toBe(true);
    // The other replica's list is stale: the delivery is unleased again, but not due before 1010.
    expect(await other.claim(read, at(1001), leaseMs)).toEqual([]);
    expect(await other.dueFairly(at(1009), { limit: 10, perMerchant: 10, skip: [] })).toEqual([]);
    const [retry] = await other.claim(read, at(1010), leaseMs);
    expect(retry).toMatchObject({ eventId: 'evt_a_0', attempts: 2 });
    expect(await row(retry?.id ?? 0)).toMatchObject({ attempts: 2 });
  });

  it('claims a batch in two statements, whatever its size', async () => {
    await queue('a', 40, 0);
    const ids = (await repo.dueFairly(now, { limit: 40, perMerchant: 40, skip: [] })).map((d) => d.id);
    const statements: string[] = [];
    const count = (q: { sql: string }) => statements.push(q.sql);
    db.on('query', count);
    const claimed = await repo.claim(ids, now, leaseMs);
    db.off('query', count);
    expect(claimed.map((d) => d.id)).toEqual(ids);
    expect(statements).toHaveLength(2);
  });
});
