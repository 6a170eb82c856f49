import { openDatabase } from '@outband/db';
import { api, eventually, waitForInbox, type Answer } from '../support/http';
import { setPolicy } from '../support/payments';
import { startSuite, subscribers, type Suite } from '../support/suite';
import { laterMessage } from '../support/signals';

// A merchant, or whoever types identifiers into its page, must not learn who subscribes:
// unknown and suspended identifiers get decoys answered like real verifications.
let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({
    env: { SEND_LIMIT_PER_ADDRESS: '3', SUBSCRIBER_FAILURE_LIMIT: '7', SUBSCRIBER_BLOCK_SECONDS: '60' },
    seed: [
      {
        merchant: { id: 'enumeration-seed', name: 'x', keys: [] },
        subscribers: [
          { identifier: 'premium-1', address: '+33899123456' },
          { identifier: 'broken-1', address: '+33700000009' },
          { identifier: 'dana', address: '+4915112340001' },
          { identifier: 'erin', address: '+33612340002' },
        ],
      },
    ],
  });
});
afterAll(async () => {
  await suite?.stop();
});

const start = (identifier: string, extra: object = {}) =>
  api(suite, 'POST', '/v1/verifications', { body: { identifier, purpose: 'login', ...extra } });
const check = (id: unknown, code: string) => api(suite, 'POST', `/v1/verifications/${String(id)}/check`, { body: { code } });

/**
 * What an answer shows once the values that differ anyway (ids, times, digits) are blanked.
 * Delivery reports are the merchant's record of what it pays for: a decoy's stays `queued`.
 */
function shape(a: Answer, withDelivery = true): unknown {
  const blank = (v: unknown): unknown =>
    typeof v === 'string'
      ? v
          .replace(/^ve_[0-9a-f]{32}$/, 've_…')
          .replace(/^se_[0-9a-f]{32}$/, 'se_…')
          .replace(/\d/g, '0')
      : Array.isArray(v)
        ? v.map(blank)
        : v && typeof v === 'object'
          ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, blank(x)]))
          : v;
  const { delivery, deliveries, ...rest } = a.body;
  return { status: a.status, contentType: a.contentType, body: blank(withDelivery ? { ...rest, delivery, deliveries } : rest) };
}

describe('no enumeration of subscribers', () => {
  it('answers a start for an unknown or suspended identifier as for a subscriber, and sends nothing', async () => {
    const known = await start('alice');
    const unknown = await start('nobody-1');
    const suspended = await start('carol');
    expect(known.status).toBe(201);
    expect(shape(unknown)).toEqual(shape(known));
    expect(shape(suspended)).toEqual(shape(known));
    expect(unknown.body.to).toMatch(/^\+33 [67] •• •• •• \d\d$/);
    // The same identifier shows the same masked address each time, as a real one does.
    expect((await start('nobody-1')).body.to).toBe(unknown.body.to);
    // A later code to another handset has arrived: a code to carol would have too.
    await laterMessage(suite, subscribers.pagerAlpha.address, subscribers.pagerAlpha.identifier);
    expect(suite.sim.inbox.list(subscribers.carol.address)).toHaveLength(0);
  });

  it('refuses every code of a decoy the way it refuses a wrong code, down to max_attempts_reached', async () => {
    const real = await start('alice');
    const decoy = await start('nobody-2');
    const same = async (code: string) =>
      expect(shape(await check(decoy.body.id, code), false)).toEqual(shape(await check(real.body.id, code), false));
    for (let i = 0; i < 4; i += 1) {
      await same(`00000${i}`);
    }
    const lastDecoy = await check(decoy.body.id, '000009');
    expect(lastDecoy.body.status).toBe('max_attempts_reached');
    expect(shape(lastDecoy, false)).toEqual(shape(await check(real.body.id, '000009'), false));
    await same('000009');
  });

  it('cancels the older decoy when the same identifier starts again, as for a subscriber', async () => {
    const first = await start('nobody-3');
    await start('nobody-3');
    const old = await api(suite, 'GET', `/v1/verifications/${String(first.body.id)}`);
    expect(old.body.status).toBe('canceled');
  });

  it('applies the send limit per address to decoys too', async () => {
    const answers = [];
    for (let i = 0; i < 4; i += 1) {
      answers.push((await start('nobody-4')).status);
    }
    expect(answers).toEqual([201, 201, 201, 429]);
  });

  it('blocks a decoy after the consecutive failures that block a subscriber', async () => {
    for (const identifier of ['bob', 'nobody-5']) {
      const first = await start(identifier);
      for (let i = 0; i < 5; i += 1) {
        await check(first.body.id, `12345${i}`);
      }
      const second = await start(identifier);
      await check(second.body.id, '999990');
      await check(second.body.id, '999991');
      const blocked = await check(second.body.id, '999992');
      expect([identifier, blocked.status, blocked.body.code]).toEqual([identifier, 429, 'SUBSCRIBER_LOCKED']);
    }
  });

  it('opens a decoy session for an unknown identifier; its codes live and die with it', async () => {
    const real = await api(suite, 'POST', '/v1/sessions', { body: { identifier: 'alice' } });
    const decoy = await api(suite, 'POST', '/v1/sessions', { body: { identifier: 'nobody-6' } });
    expect(shape(decoy)).toEqual(shape(real));
    const v = await start('nobody-6', { sessionId: decoy.body.id });
    expect(v.status).toBe(201);
    // Another identifier cannot borrow the session, as with a real one.
    expect((await start('nobody-7', { sessionId: decoy.body.id })).body.code).toBe('SESSION_MISMATCH');
    await api(suite, 'DELETE', `/v1/sessions/${String(decoy.body.id)}`);
    expect((await check(v.body.id, '000000')).body.code).toBe('SESSION_CLOSED');
  });

  it('tells the operator which verifications were decoys, without the identifier', async () => {
    const decoy = await start('nobody-8');
    const db = openDatabase(suite.databaseUrl, { min: 0, max: 1 });
    try {
      const row = await db('audit_events').where({ verification_id: decoy.body.id }).first<{ outcome: string; subscriber_id: null }>();
      expect(row).toMatchObject({ outcome: 'login:decoy', subscriber_id: null });
      const record = await db('verifications').where({ id: decoy.body.id }).first<{ decoy_of: string }>();
      expect(record.decoy_of).toMatch(/^[0-9a-f]{32}$/);
      expect(JSON.stringify(record)).not.toContain('nobody-8');
    } finally {
      await db.destroy();
    }
  });

  it('answers a statement for an unknown identifier as for a subscriber who never paid this merchant', async () => {
    const statement = (who: string) => api(suite, 'GET', `/v1/subscribers/${who}/statement?period=2020-01`);
    const known = await statement('bob');
    const unknown = await statement('nobody-11');
    expect(known.status).toBe(200);
    expect(shape(unknown)).toEqual(shape({ ...known, body: { ...known.body, identifier: 'nobody-11' } }));
  });

  it('answers a subscriber whose number a send guard refuses as a decoy, and sends it nothing', async () => {
    expect(shape(await start('premium-1'))).toEqual(shape(await start('nobody-12')));
    expect(shape(await start('broken-1'))).toEqual(shape(await start('nobody-13')));
    const aliceHad = suite.sim.inbox.list(subscribers.alice.address).length;
    const danaHad = suite.sim.inbox.list('+4915112340001').length;
    await setPolicy(suite, { allowedCountries: ['DE'] });
    try {
      expect(shape(await start('alice'))).toEqual(shape(await start('nobody-14')));
      // A German number the policy allows is sent: once it has arrived, alice's would have too.
      expect((await start('dana')).status).toBe(201);
      await waitForInbox(suite, '+4915112340001', danaHad + 1);
      expect(suite.sim.inbox.list(subscribers.alice.address)).toHaveLength(aliceHad);
    } finally {
      await setPolicy(suite, { allowedCountries: null });
    }
  });

  it('answers the reverse channel for a pager as for an unknown identifier', async () => {
    const pager = await start('pager-7', { channel: 'reverse-sms' });
    const unknown = await start('nobody-15', { channel: 'reverse-sms' });
    expect(pager.status).toBe(201);
    expect(shape(pager)).toEqual(shape(unknown));
  });

  it("shows a decoy's masked address in the formats real numbers have, in the country of a typed number", async () => {
    const masks = new Set<string>();
    for (let i = 0; i < 16; i += 1) {
      masks.add(String((await start(`nobody-mask-${i}`)).body.to).slice(0, 5));
    }
    // French mobile numbers begin with 6 or 7: decoys are not all one pattern.
    expect([...masks].sort()).toEqual(['+33 6', '+33 7']);
    expect((await start('+4915199990000')).body.to).toMatch(/^\+49 1/);
  });

  it("takes a decoy's delivery report through submitted to delivered, as a real one's", async () => {
    const delivered = (id: unknown) =>
      eventually(async () => {
        const v = await api(suite, 'GET', `/v1/verifications/${String(id)}`);
        return (v.body.delivery as { state: string }).state === 'delivered' ? true : undefined;
      });
    const real = await start('erin');
    const decoy = await start('nobody-16');
    await expect(delivered(real.body.id)).resolves.toBe(true);
    await expect(delivered(decoy.body.id)).resolves.toBe(true);
  });
});
