import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { openDatabase } from '@outband/db';
import type { NetworkSimulator } from '@outband/network-simulator';
import { networkEnv, startTestNetwork } from '../support/network';
import { api, eventually, readCode, waitForInbox } from '../support/http';
import { setPolicy } from '../support/payments';
import { startSuite, subscribers, type Suite } from '../support/suite';

// SIM-swap and port checks before a code goes out, against the operator's network APIs as the
// network simulator plays them over HTTP (OAuth client credentials, CAMARA SIM Swap, an MNP lookup).
let network: NetworkSimulator;
let suite: Suite;
let hooks: Server;
let hookUrl = '';
const received: Array<{ type: string; body: string }> = [];
const budgetMs = 400;
const hour = 3600 * 1000;
const alice = subscribers.alice.address;
const bob = subscribers.bob.address;

beforeAll(async () => {
  network = await startTestNetwork();
  hooks = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      received.push({ type: String(req.headers['outband-event-type']), body });
      res.writeHead(200).end();
    });
  });
  await new Promise<void>((r) => hooks.listen(0, '127.0.0.1', r));
  hookUrl = `http://127.0.0.1:${(hooks.address() as AddressInfo).port}/hooks`;
  suite = await startSuite({
    env: {
      ...networkEnv(network),
      MNP_LOOKUP_URL: `${network.url}/mnp/v1/lookup`,
      MNP_API_KEY: 'mnp-key',
      NETWORK_CHECK_BUDGET_MS: String(budgetMs),
      NETWORK_BREAKER_THRESHOLD: '3',
      NETWORK_BREAKER_OPEN_MS: '600000',
      SIM_SWAP_ACTION: 'warn',
      SIM_SWAP_HOURS: '72',
      WEBHOOK_POLL_MS: '100',
    },
  });
});
afterAll(async () => {
  await suite?.stop();
  await network?.stop();
  await new Promise((r) => hooks?.close(r));
});
beforeEach(async () => {
  network.lines.reset();
  network.configure({ latencyMs: 0, failNext: 0 });
  suite.sim.inbox.clear();
  await setPolicy(suite, { simSwapAction: null, simSwapHours: null });
});

const start = (identifier: string, extra: object = {}) => api(suite, 'POST', '/v1/verifications', { body: { identifier, ...extra } });
const swapped = (address: string, hoursAgo: number) => network.lines.swapSim(address, new Date(Date.now() - hoursAgo * hour));

/** What the records of a verification say of its number check: the verification's and its certificate's. */
async function recorded(verificationId: unknown): Promise<{ verification: string | null; certificate: string | null | undefined }> {
  const db = openDatabase(suite.databaseUrl, { min: 0, max: 1 });
  try {
    const v = await db('verifications')
      .where({ id: String(verificationId) })
      .first<{ number_check: string | null }>('number_check');
    const c = await db('certificates')
      .where({ verification_id: String(verificationId) })
      .first<{ number_check: string | null } | undefined>('number_check');
    return { verification: v.number_check, certificate: c?.number_check };
  } finally {
    await db.destroy();
  }
}

async function refusalsAudited(): Promise<string[]> {
  const db = openDatabase(suite.databaseUrl, { min: 0, max: 1 });
  try {
    const rows = await db('audit_events')
      .where({ kind: 'verification.refused' })
      .orderBy('id')
      .select<Array<{ outcome: string }>>('outcome');
    return rows.map((r) => r.outcome);
  } finally {
    await db.destroy();
  }
}

const metrics = async () => (await fetch(`http://127.0.0.1:${suite.data.opsPort}/metrics`)).text();

describe('number trust: SIM swap and port checks before a code is sent', () => {
  it('refuses a silent start where no callback is configured for the operator to send devices back to', async () => {
    const silent = await start('alice', { channel: 'silent', returnUrl: 'https://shop.example/back' });
    expect(silent.status).toBe(400);
    expect(silent.body).toMatchObject({ code: 'SILENT_UNAVAILABLE' });
    // The same start by SMS goes through: only the silent channel is missing.
    expect((await start('alice')).status).toBe(201);
  });

  it('sends to a number whose SIM has not changed, and records that the network said so', async () => {
    const v = await start('alice');
    expect(v.status).toBe(201);
    expect(v.body.numberWarning).toBeUndefined();
    await waitForInbox(suite, alice, 1);
    expect(await recorded(v.body.id)).toEqual({ verification: 'clear:sent', certificate: 'clear:sent' });
  });

  it('refuses a code to a number swapped inside the window, and sends once the swap is older', async () => {
    await setPolicy(suite, { simSwapAction: 'refuse', simSwapHours: 24 });
    swapped(alice, 2);
    const refused = await start('alice');
    expect(refused.status).toBe(403);
    expect(refused.contentType).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ code: 'SIM_RECENTLY_SWAPPED', withinHours: 24 });
    expect(await refusalsAudited()).toContain('sim_recently_swapped');
    // A code to bob, started after, arrives: alice's would have arrived before it.
    await start('bob');
    await waitForInbox(suite, bob, 1);
    expect(suite.sim.inbox.list(alice)).toHaveLength(0);

    swapped(alice, 30);
    const later = await start('alice');
    expect(later.status).toBe(201);
    await waitForInbox(suite, alice, 1);
    expect(await recorded(later.body.id)).toMatchObject({ verification: 'clear:sent' });
    expect(await metrics()).toMatch(/outband_number_checks_total\{[^}]*signal="swapped",action="refused"[^}]*\} 1/);
  });

  it('refuses a number ported inside the window (the number portability lookup)', async () => {
    await setPolicy(suite, { simSwapAction: 'refuse' });
    network.lines.port(alice, new Date(Date.now() - 5 * hour));
    // Only the portability lookup tells: the SIM swap API dates the SIM from before the window.
    swapped(alice, 500);
    const refused = await start('alice');
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'NUMBER_RECENTLY_PORTED', withinHours: 72 });
  });

  it('takes only the reverse channel from a swapped number when the policy says so', async () => {
    await setPolicy(suite, { simSwapAction: 'reverse' });
    swapped(alice, 1);
    const bySms = await start('alice');
    expect(bySms.status).toBe(403);
    expect(bySms.body).toMatchObject({ code: 'REVERSE_CHANNEL_REQUIRED', reason: 'SIM_RECENTLY_SWAPPED' });
    const reverse = await start('alice', { channel: 'reverse-sms' });
    expect(reverse.status).toBe(201);
    expect(reverse.body).toMatchObject({ channel: 'reverse-sms', numberWarning: 'SIM_RECENTLY_SWAPPED' });
    expect(await recorded(reverse.body.id)).toEqual({ verification: 'swapped:reverse', certificate: undefined });
  });

  it('sends by SMS, without a warning, to a number swapped before the window under reverse and warn', async () => {
    swapped(alice, 30);
    for (const simSwapAction of ['reverse', 'warn'] as const) {
      await setPolicy(suite, { simSwapAction, simSwapHours: 24 });
      const v = await start('alice');
      expect(v.status).toBe(201);
      expect(v.body.numberWarning).toBeUndefined();
      expect(await recorded(v.body.id)).toMatchObject({ verification: 'clear:sent' });
    }
    // Both codes reach the phone; a swap inside the window under reverse refuses the SMS (above).
    await waitForInbox(suite, alice, 2);
  });

  it('sends and warns in the answer, the verification and the webhook when the policy warns', async () => {
    const endpoint = await api(suite, 'POST', '/v1/webhooks', { body: { url: hookUrl, events: ['verification.approved'] } });
    expect(endpoint.status).toBe(201);
    swapped(alice, 3);
    const v = await start('alice');
    expect(v.status).toBe(201);
    expect(v.body.numberWarning).toBe('SIM_RECENTLY_SWAPPED');
    const code = await readCode(suite, alice, 1);
    const checked = await api(suite, 'POST', `/v1/verifications/${String(v.body.id)}/check`, { body: { code } });
    expect(checked.body).toMatchObject({ status: 'approved', numberWarning: 'SIM_RECENTLY_SWAPPED' });
    const event = await eventually(async () => Promise.resolve(received.find((r) => r.body.includes(String(v.body.id)))));
    expect(JSON.parse(event.body)).toMatchObject({ type: 'verification.approved', data: { numberWarning: 'SIM_RECENTLY_SWAPPED' } });
    expect(await recorded(v.body.id)).toEqual({ verification: 'swapped:warned', certificate: 'swapped:warned' });
    await api(suite, 'DELETE', `/v1/webhooks/${String(endpoint.body.id)}`);
  });

  it('sends within the budget when the network API is slow, and records that it could not tell', async () => {
    await setPolicy(suite, { simSwapAction: 'refuse' });
    swapped(alice, 1);
    network.configure({ latencyMs: budgetMs * 5 });
    const v = await start('alice');
    // The swap is there, but its answer comes too late: the code goes out, marked unknown.
    expect(v.status).toBe(201);
    await waitForInbox(suite, alice, 1);
    expect(await recorded(v.body.id)).toMatchObject({ verification: 'unknown:sent' });
    expect(await metrics()).toMatch(/outband_network_api_duration_seconds_count\{[^}]*api="sim-swap",outcome="timeout"[^}]*\} [1-9]/);
  });

  it('asks again before a resend: a SIM swapped since the first code gets no second one', async () => {
    const v = await start('alice');
    await waitForInbox(suite, alice, 1);
    await setPolicy(suite, { simSwapAction: 'refuse' });
    swapped(alice, 0);
    const resent = await api(suite, 'POST', `/v1/verifications/${String(v.body.id)}/resend`, { body: {} });
    expect(resent.status).toBe(403);
    expect(resent.body).toMatchObject({ code: 'SIM_RECENTLY_SWAPPED' });
    // A code to bob, started after, arrives: a second one to alice would have arrived before it.
    await start('bob');
    await waitForInbox(suite, bob, 1);
    expect(suite.sim.inbox.list(alice)).toHaveLength(1);
  });

  it('does not count a number the operator cannot answer for as the API failing', async () => {
    network.lines.markForeign(bob);
    for (let i = 0; i < 4; i++) {
      expect(await recorded((await start('bob')).body.id)).toMatchObject({ verification: 'unknown:sent' });
    }
    expect(await metrics()).toMatch(
      /outband_network_api_duration_seconds_count\{[^}]*api="sim-swap",outcome="not_applicable"[^}]*\} [4-9]/,
    );
    // More answers than the breaker's threshold, and it still asks: a swap is still refused.
    await setPolicy(suite, { simSwapAction: 'refuse' });
    swapped(alice, 1);
    expect((await start('alice')).body).toMatchObject({ code: 'SIM_RECENTLY_SWAPPED' });
  });

  it('stops calling a failing network API for a while, and fetches a new token when the old one is refused', async () => {
    network.tokens.revokeAll();
    const fresh = await start('bob');
    expect(await recorded(fresh.body.id)).toMatchObject({ verification: 'clear:sent' });

    network.configure({ failNext: 1000 });
    for (let i = 0; i < 3; i++) {
      expect(await recorded((await start('bob')).body.id)).toMatchObject({ verification: 'unknown:sent' });
    }
    const calls = network.calls['sim-swap/v2/check'] ?? 0;
    const paused = await start('bob');
    expect(await recorded(paused.body.id)).toMatchObject({ verification: 'unknown:sent' });
    // The start went through the check (its record says unknown) without reaching the API.
    expect(network.calls['sim-swap/v2/check']).toBe(calls);
    expect(await metrics()).toMatch(/outband_network_api_duration_seconds_count\{[^}]*api="sim-swap",outcome="paused"[^}]*\} [1-9]/);
  });
});
