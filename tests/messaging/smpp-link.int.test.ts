import { openDatabase } from '@outband/db';
import { api, eventually, readCode, waitForInbox } from '../support/http';
import { startSuite, subscribers, type Suite } from '../support/suite';
import { logged } from '../support/signals';

describe('SMPP link: an SMSC that does not answer', () => {
  let suite: Suite;
  beforeAll(async () => {
    suite = await startSuite({ simulator: { behaviour: { silentSubmits: 1 } }, env: { SMPP_RESPONSE_TIMEOUT_MS: '300' } });
    await suite.message.waitBound(5000);
  });
  afterAll(async () => {
    await suite?.stop();
  });

  it('times the submit out and retries it, so the code still arrives and is approved', async () => {
    const start = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } });
    const id = String(start.body.id);
    const code = await readCode(suite, subscribers.alice.address);
    expect((await api(suite, 'POST', `/v1/verifications/${id}/check`, { body: { code } })).body.status).toBe('approved');
    const db = openDatabase(suite.databaseUrl, { min: 0, max: 1 });
    const attempts = await eventually(async () => {
      const rows = await db('submits as s')
        .join('messages as m', 'm.id', 's.message_id')
        .where('m.verification_id', id)
        .orderBy('s.attempt')
        .select<Array<{ attempt: number; state: string }>>('s.attempt', 's.state');
      return rows.some((r) => r.state === 'delivered') ? rows : undefined;
    });
    await db.destroy();
    expect(attempts).toEqual([
      { attempt: 1, state: 'failed' },
      { attempt: 2, state: 'delivered' },
    ]);
    expect(suite.logs.some((l) => l.includes('SMPP_TIMEOUT'))).toBe(true);
  });

  it('reconnects with a new session after the SMSC drops the link, and delivers again', async () => {
    suite.sim.dropLinks();
    await eventually(async () => (suite.logs.some((l) => l.includes('SMPP link lost')) ? true : undefined));
    await suite.message.waitBound(10_000);
    await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'bob' } });
    const messages = await waitForInbox(suite, subscribers.bob.address);
    expect(messages).toHaveLength(1);
  });
});

describe('SMPP link: a refused bind', () => {
  let suite: Suite;
  beforeAll(async () => {
    suite = await startSuite({ env: { SMPP_PASSWORD: 'wrong' } });
  });
  afterAll(async () => {
    await suite?.stop();
  });

  it('reports the refusal with its status, stays unready, and keeps the message queued (not lost)', async () => {
    await eventually(async () => (suite.logs.some((l) => l.includes('SMPP bind refused') && l.includes('0x0000000e')) ? true : undefined));
    // A refused bind is retried slowly (seconds apart), never in a busy loop: while a message
    // goes round four tries (about 1.4 s of retry delays, SEND_RETRY_BASE_MS 200), at most one
    // more bind is tried.
    const attempts = suite.sim.stats().bindAttempts;
    const start = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } });
    expect(start.status).toBe(201);
    await logged(suite, 'no route took the message, retrying later', '"attempt":3');
    expect(suite.sim.stats().bindAttempts - attempts).toBeLessThanOrEqual(1);
    const ready = await fetch(`http://127.0.0.1:${suite.message.opsPort}/readyz`);
    expect(ready.status).toBe(503);
    expect(await ready.json()).toMatchObject({ reasons: { smpp: 'no SMPP bind is up' } });
    const view = await api(suite, 'GET', `/v1/verifications/${String(start.body.id)}`);
    expect(view.body.delivery).toMatchObject({ state: 'queued' });
  });
});
