import { api, eventually, readCode } from '../support/http';
import { setPolicy } from '../support/payments';
import { startSuite, subscribers, type Suite } from '../support/suite';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({ env: { SESSION_IDLE_SECONDS: '2', PAYMENT_SWEEP_SECONDS: '1' } });
});
afterAll(async () => {
  await suite?.stop();
});
beforeEach(() => {
  suite.sim.inbox.clear();
});

const openSession = async (identifier = 'alice') => (await api(suite, 'POST', '/v1/sessions', { body: { identifier } })).body;
const startIn = async (sessionId: string, identifier = 'alice') =>
  api(suite, 'POST', '/v1/verifications', { body: { identifier, sessionId } });
const check = (id: string, code: string) => api(suite, 'POST', `/v1/verifications/${id}/check`, { body: { code } });
const sessionOf = async (id: string) => (await api(suite, 'GET', `/v1/sessions/${id}`)).body;

describe('first-network sessions (connected mode)', () => {
  it('kills the pending code when the merchant ends the session', async () => {
    const session = await openSession();
    expect(session).toMatchObject({ status: 'open', idleTimeoutSeconds: 2 });
    const v = (await startIn(session.id as string)).body;
    expect(v.sessionId).toBe(session.id);
    const code = await readCode(suite, subscribers.alice.address, 1);
    const ended = await api(suite, 'DELETE', `/v1/sessions/${session.id as string}`);
    expect(ended.body).toMatchObject({ status: 'closed', closeReason: 'ended' });
    expect(ended.body.durationSeconds).toBeGreaterThanOrEqual(0);
    const late = await check(v.id as string, code);
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('SESSION_CLOSED');
    expect((await api(suite, 'GET', `/v1/verifications/${v.id as string}`)).body.status).toBe('session_closed');
  });

  it('stays open while heartbeats come, and approves within it', async () => {
    const session = await openSession();
    const v = (await startIn(session.id as string)).body;
    // Opened later and left without heartbeats: once it is closed, the first would have been too.
    const control = await openSession();
    const code = await readCode(suite, subscribers.alice.address, 1);
    await eventually(async () => {
      expect((await api(suite, 'POST', `/v1/sessions/${session.id as string}/heartbeat`)).status).toBe(200);
      return (await sessionOf(control.id as string)).status === 'closed' ? true : undefined;
    }, 10_000);
    expect(await sessionOf(control.id as string)).toMatchObject({ closeReason: 'idle' });
    expect((await sessionOf(session.id as string)).status).toBe('open');
    expect((await check(v.id as string, code)).body.status).toBe('approved');
  });

  it('closes an idle session with its codes, and refuses heartbeats and new codes in it', async () => {
    const session = await openSession();
    const v = (await startIn(session.id as string)).body;
    const code = await readCode(suite, subscribers.alice.address, 1);
    await eventually(async () => ((await sessionOf(session.id as string)).status === 'closed' ? true : undefined), 10_000);
    const late = await check(v.id as string, code);
    expect(late.body.code).toBe('SESSION_CLOSED');
    expect(await sessionOf(session.id as string)).toMatchObject({ status: 'closed', closeReason: 'idle' });
    expect((await api(suite, 'POST', `/v1/sessions/${session.id as string}/heartbeat`)).body.code).toBe('SESSION_CLOSED');
    expect((await startIn(session.id as string)).body.code).toBe('SESSION_CLOSED');
  });

  it('closes idle sessions on its own, without anyone asking', async () => {
    const session = await openSession();
    const v = (await startIn(session.id as string)).body;
    await eventually(async () => {
      const read = await api(suite, 'GET', `/v1/verifications/${v.id as string}`);
      return read.body.status === 'session_closed' ? true : undefined;
    }, 10_000);
  });

  it("refuses another subscriber's session and unknown sessions", async () => {
    const session = await openSession('alice');
    const other = await startIn(session.id as string, 'bob');
    expect(other.status).toBe(400);
    expect(other.body.code).toBe('SESSION_MISMATCH');
    expect((await startIn(`se_${'0'.repeat(32)}`)).body.code).toBe('SESSION_NOT_FOUND');
    expect((await api(suite, 'GET', '/v1/sessions/nope')).status).toBe(404);
  });

  it("bills the session's duration per started minute where the merchant is billed so", async () => {
    await setPolicy(suite, { billingMode: 'duration', billingValue: 10, billingCurrency: 'EUR' });
    const session = await openSession('bob');
    await api(suite, 'DELETE', `/v1/sessions/${session.id as string}`);
    await api(suite, 'DELETE', `/v1/sessions/${session.id as string}`); // ending twice books once
    const period = new Date().toISOString().slice(0, 7);
    const statement = await api(suite, 'GET', `/v1/subscribers/bob/statement?period=${period}`);
    expect(statement.body.entries).toEqual([expect.objectContaining({ kind: 'duration', amount: 10, currency: 'EUR' })]);
    await setPolicy(suite, { billingMode: 'amount' });
  });
});
