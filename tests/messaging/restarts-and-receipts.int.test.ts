import { randomBytes } from 'node:crypto';
import { openDatabase } from '@outband/db';
import { api, eventually, readCode, waitForInbox } from '../support/http';
import { startSuite, subscribers, type Suite } from '../support/suite';

describe('a data server restart with rotated keys', () => {
  let suite: Suite;
  beforeAll(async () => {
    suite = await startSuite();
  });
  afterAll(async () => {
    await suite?.stop();
  });

  it('keeps a pending code valid across the restart, and issues new codes with the new keys', async () => {
    const before = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } });
    const code = await readCode(suite, subscribers.alice.address, 1);
    // New active keys first; the old ones stay in the rings for codes already in flight.
    const rotate = (ring: string) => `k2:${randomBytes(32).toString('base64')},${ring}`;
    await suite.restartDataServer({
      CODE_KEYS: rotate(suite.keys.code),
      CODE_MAC_KEYS: rotate(suite.keys.mac),
      BUS_SEAL_KEYS: rotate(suite.keys.seal),
    });
    const check = await api(suite, 'POST', `/v1/verifications/${String(before.body.id)}/check`, { body: { code } });
    expect(check.body.status).toBe('approved');
    // A code sealed with the new bus key still reaches the phone: the message server has k1 only,
    // so it must fail closed, never send a wrong text.
    const after = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } });
    const failed = await eventually(async () => {
      const r = await api(suite, 'GET', `/v1/verifications/${String(after.body.id)}`);
      const d = r.body.delivery as { state: string; error?: string } | undefined;
      return d?.state === 'failed' ? d : undefined;
    });
    expect(failed.error).toMatch(/unknown key id/);
    // Back to the rings the message server knows: new verifications go through again.
    await suite.restartDataServer({ CODE_KEYS: rotate(suite.keys.code), CODE_MAC_KEYS: rotate(suite.keys.mac) });
    const third = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } });
    const newCode = await readCode(suite, subscribers.alice.address, 2);
    expect((await api(suite, 'POST', `/v1/verifications/${String(third.body.id)}/check`, { body: { code: newCode } })).body.status).toBe(
      'approved',
    );
    const db = openDatabase(suite.databaseUrl, { min: 0, max: 1 });
    const rows = await db('verifications')
      .whereIn('id', [String(before.body.id), String(third.body.id)])
      .select<Array<{ id: string; code_key_id: string; mac_key_id: string }>>('id', 'code_key_id', 'mac_key_id');
    await db.destroy();
    expect(rows.find((r) => r.id === before.body.id)).toMatchObject({ code_key_id: 'k1', mac_key_id: 'k1' });
    expect(rows.find((r) => r.id === third.body.id)).toMatchObject({ code_key_id: 'k2', mac_key_id: 'k2' });
  });
});

describe('receipts on a separate receiver bind, and failed deliveries', () => {
  let suite: Suite;
  beforeAll(async () => {
    suite = await startSuite({ env: { SMPP_BIND_MODE: 'transmitter' }, simulator: { behaviour: { receiptOutcomes: { UNDELIV: 1 } } } });
    await suite.message.waitBound(5000);
  });
  afterAll(async () => {
    await suite?.stop();
  });

  it('submits on the transmitter bind and records the UNDELIV receipt from the receiver bind as failed', async () => {
    const start = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'bob' } });
    await waitForInbox(suite, subscribers.bob.address);
    const delivery = await eventually(async () => {
      const r = await api(suite, 'GET', `/v1/verifications/${String(start.body.id)}`);
      const d = r.body.delivery as { state: string; error?: string } | undefined;
      return d?.state === 'failed' ? d : undefined;
    });
    expect(delivery.error).toBe('UNDELIV');
  });
});

describe('a message server stopped mid-burst', () => {
  let suite: Suite;
  beforeAll(async () => {
    // A slow SMSC, so the stop lands while submits are in flight and messages wait in the queue.
    suite = await startSuite({ env: { SMPP_WINDOW: '2' }, simulator: { behaviour: { responseDelayMs: 50, receiptDelayMs: 20 } } });
    await suite.message.waitBound(5000);
  });
  afterAll(async () => {
    await suite?.stop();
  });

  it('finishes in-flight submits, leaves the rest queued, and a new one delivers them all', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      ids.push(String((await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'bob' } })).body.id));
    }
    await suite.restartMessageServer();
    const states = await Promise.all(
      ids.map((id) =>
        eventually(async () => {
          const d = (await api(suite, 'GET', `/v1/verifications/${id}`)).body.delivery as { state: string } | undefined;
          return d && d.state !== 'queued' && d.state !== 'submitted' ? d.state : undefined;
        }, 30_000),
      ),
    );
    expect(states.filter((s) => s !== 'delivered')).toEqual([]);
    // Each code reached the handset; a copy twice only if a submit was cut at the stop.
    const inbox = await waitForInbox(suite, subscribers.bob.address, 20);
    expect(inbox.length).toBeLessThanOrEqual(20 + 2);
  });
});
