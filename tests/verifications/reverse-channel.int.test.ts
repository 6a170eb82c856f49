import { openDatabase } from '@outband/db';
import { issuedOutcome } from '../support/audit';
import { api, eventually } from '../support/http';
import { counter, receivedBeforeNext } from '../support/signals';
import { startSuite, subscribers, type Suite } from '../support/suite';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({ env: { REVERSE_NUMBERS: '+33=38100,+=+447700900123' } });
});
afterAll(async () => {
  await suite?.stop();
});

const startReverse = (identifier = 'alice', extra: object = {}) =>
  api(suite, 'POST', '/v1/verifications', { body: { identifier, channel: 'reverse-sms', ...extra } });
const textBack = async (s: Suite, from: string, to: string, text: string) => {
  const res = await fetch(`http://127.0.0.1:${s.sim.httpPort}/mo`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ from, to, text }),
  });
  expect(res.status).toBe(202);
};
const statusOf = async (s: Suite, id: string) => (await api(s, 'GET', `/v1/verifications/${id}`)).body;
const becomes = (s: Suite, id: string, status: string) =>
  eventually(async () => ((await statusOf(s, id)).status === status ? true : undefined), 10_000);
/** Texts from handsets the data server has handled, by outcome. */
const inbound = (s: Suite, outcome: string) => counter(s.data.opsPort, 'outband_inbound_messages_total', { outcome });
/** Waits until the data server has handled `n` texts with `outcome`. */
const handled = (s: Suite, outcome: string, n: number) =>
  eventually(async () => ((await inbound(s, outcome)) >= n ? true : undefined), 10_000);

describe('reverse channel (the phone texts the code back)', () => {
  it('answers a code to show and a number to text, sends nothing, and approves the text from the subscriber', async () => {
    suite.sim.inbox.clear();
    const started = await startReverse();
    expect(started.status).toBe(201);
    const reverse = started.body.reverse as { code: string; sendTo: string };
    expect(reverse.code).toMatch(/^\d{6}$/);
    expect(reverse.sendTo).toBe('38100');
    expect(started.body.channel).toBe('reverse-sms');
    // Typed as people type it: a keyword, a space in the middle, lower case.
    await textBack(suite, subscribers.alice.address, reverse.sendTo, `ok ${reverse.code.slice(0, 3)} ${reverse.code.slice(3)}`);
    await becomes(suite, started.body.id as string, 'approved');
    // A later SMS to the handset arrives after any the reverse verification could have sent. Not
    // sooner: a new start cancels the subscriber's pending verification.
    expect(await receivedBeforeNext(suite, 'alice', subscribers.alice.address)).toHaveLength(0);
  });

  it('never approves a text from another number: it counts as a failed attempt and is in the audit', async () => {
    const started = await startReverse();
    const reverse = started.body.reverse as { code: string; sendTo: string };
    await textBack(suite, subscribers.bob.address, reverse.sendTo, reverse.code);
    await eventually(async () => ((await statusOf(suite, started.body.id as string)).attemptsLeft === 4 ? true : undefined), 10_000);
    expect((await statusOf(suite, started.body.id as string)).status).toBe('pending');
    const db = openDatabase(suite.databaseUrl, { min: 0, max: 1 });
    try {
      const rows = await db('audit_events')
        .where({ verification_id: started.body.id as string })
        .select('outcome');
      expect(rows.map((r: { outcome: string }) => r.outcome)).toContain('reverse:wrong_source');
    } finally {
      await db.destroy();
    }
    await textBack(suite, subscribers.alice.address, reverse.sendTo, reverse.code);
    await becomes(suite, started.body.id as string, 'approved');
  });

  it('gives the number of the route for the address (another country, another number)', async () => {
    const started = await startReverse('bob');
    expect((started.body.reverse as { sendTo: string }).sendTo).toBe('+447700900123');
  });

  it('ignores a code whose session has ended (two-terminal mode)', async () => {
    const session = (await api(suite, 'POST', '/v1/sessions', { body: { identifier: 'alice' } })).body;
    const started = await startReverse('alice', { sessionId: session.id });
    await api(suite, 'DELETE', `/v1/sessions/${session.id as string}`);
    const reverse = started.body.reverse as { code: string; sendTo: string };
    const closedBefore = await inbound(suite, 'session_closed');
    await textBack(suite, subscribers.alice.address, reverse.sendTo, reverse.code);
    await handled(suite, 'session_closed', closedBefore + 1);
    expect((await statusOf(suite, started.body.id as string)).status).toBe('session_closed');
  });

  it('answers the reverse channel for a pager as a decoy, and refuses a resend of a reverse code', async () => {
    // A pager cannot text back; refusing it would tell that the identifier is a pager subscriber.
    const pager = await startReverse('pager-7');
    expect(pager.status).toBe(201);
    expect(await issuedOutcome(suite, pager.body.id)).toBe('login:reverse:withheld');
    const started = await startReverse();
    const resend = await api(suite, 'POST', `/v1/verifications/${started.body.id as string}/resend`, { body: {} });
    expect(resend.body.code).toBe('CHANNEL_UNSUPPORTED');
  });
});

describe('reverse channel after the code expired', () => {
  let short: Suite;
  beforeAll(async () => {
    short = await startSuite({ env: { CODE_TTL_SECONDS: '1' } });
  });
  afterAll(async () => {
    await short?.stop();
  });

  it('does not approve a code texted back too late', async () => {
    const started = await api(short, 'POST', '/v1/verifications', { body: { identifier: 'alice', channel: 'reverse-sms' } });
    const reverse = started.body.reverse as { code: string; sendTo: string };
    await becomes(short, started.body.id as string, 'expired');
    await textBack(short, subscribers.alice.address, reverse.sendTo, reverse.code);
    // The text was handled (whatever came of it) before its outcome is read.
    await eventually(async () => ((await counter(short.data.opsPort, 'outband_inbound_messages_total')) >= 1 ? true : undefined), 10_000);
    expect((await statusOf(short, started.body.id as string)).status).toBe('expired');
    const metrics = await (await fetch(`http://127.0.0.1:${short.data.opsPort}/metrics`)).text();
    expect(metrics).toMatch(/outband_inbound_messages_total\{[^}]*outcome="unmatched"[^}]*\} 1/);
  });
});
