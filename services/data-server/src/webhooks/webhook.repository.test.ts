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
const due = async (o: { limit: number; perMerchant: number; skip?: string[] }) =>
  (await repo.dueFairly(now, { skip: [], ...o })).map((d) => d.eventId);

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
    expect(await repo.claim(first?.id ?? 0, now, 60_000)).toBe(true);
    await repo.settle(second?.id ?? 0, { status: 'delivered', attempts: 1, statusCode: 200, error: null, nextAttemptAt: now, at: now });
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
