import type { NetworkSimulator } from '@outband/network-simulator';
import { networkEnv, startTestNetwork } from '../support/network';
import { api, readCode, waitForInbox } from '../support/http';
import { setPolicy } from '../support/payments';
import { freePort } from '../support/private-servers';
import { startSuite, subscribers, type Suite } from '../support/suite';

// Silent verification (CAMARA Number Verification): the test plays the device's browser, going
// to the operator's authorization endpoint (the network simulator, which knows the device's line
// by the header its gateway would add), back to Outband's callback, and on to the shop.
let network: NetworkSimulator;
let suite: Suite;
const alice = subscribers.alice.address;
const bob = subscribers.bob.address;
const shop = 'https://shop.example/after-login?basket=7';

beforeAll(async () => {
  const port = await freePort();
  const callback = `http://127.0.0.1:${port}/silent/callback`;
  network = await startTestNetwork({ redirectUris: [callback] });
  suite = await startSuite({
    env: {
      ...networkEnv(network),
      SILENT_REDIRECT_URL: callback,
      HTTP_PORT: String(port),
      SIM_SWAP_ACTION: 'warn',
      // Two wrong codes lock a subscriber here: links opened on the wrong phone must not count.
      SUBSCRIBER_FAILURE_LIMIT: '2',
    },
  });
});
afterAll(async () => {
  await suite?.stop();
  await network?.stop();
});
beforeEach(async () => {
  network.lines.reset();
  network.setDataSession(null);
  network.configure({ latencyMs: 0, failNext: 0 });
  suite.sim.inbox.clear();
  await setPolicy(suite, { simSwapAction: null, simSwapHours: null });
});

const startSilent = (identifier: string, extra: object = {}) =>
  api(suite, 'POST', '/v1/verifications', { body: { identifier, channel: 'silent', returnUrl: shop, ...extra } });

/**
 * The device's browser: to the operator (on the mobile data of `line`, or on Wi-Fi), back to
 * Outband's callback; answers where Outband sends it and the callback URL it followed.
 */
async function device(url: string, line: string | null): Promise<{ next: URL; callback: string; status: number }> {
  const atOperator = await fetch(url, { redirect: 'manual', headers: line ? { 'x-msisdn': line } : {} });
  expect(atOperator.status).toBe(302);
  const callback = atOperator.headers.get('location') ?? '';
  const back = await fetch(callback, { redirect: 'manual' });
  return { next: new URL(back.headers.get('location') ?? 'about:blank'), callback, status: back.status };
}

const read = async (id: unknown) => (await api(suite, 'GET', `/v1/verifications/${String(id)}`)).body;

describe('silent verification: the operator network vouches for the device', () => {
  it('gives the returning browser a code when the device holds the number, and sends none by SMS', async () => {
    const v = await startSilent('alice');
    expect(v.status).toBe(201);
    expect(v.body).toMatchObject({ status: 'pending', channel: 'silent', silent: { state: 'pending' } });
    const url = String((v.body.silent as { url: string }).url);
    expect(url.startsWith(`${network.url}/authorize?`)).toBe(true);
    // The link goes through the merchant's page: it names no number.
    expect(url).not.toContain(alice.slice(1));
    const { next, status } = await device(url, alice);
    expect(status).toBe(303);
    expect(`${next.origin}${next.pathname}`).toBe('https://shop.example/after-login');
    expect(next.searchParams.get('basket')).toBe('7');
    expect(next.searchParams.get('verification')).toBe(v.body.id);
    expect(next.searchParams.get('outcome')).toBe('verified');
    // The network's yes alone approves nothing: whoever started the login cannot finish it
    // without the code that went to the browser that came back.
    const waiting = await read(v.body.id);
    expect(waiting).toMatchObject({ status: 'pending', channel: 'silent', silent: { state: 'verified' } });
    expect(waiting.delivery).toBeUndefined();
    const code = String(next.searchParams.get('code'));
    expect(code).toMatch(/^\d{10}$/);
    const checked = await api(suite, 'POST', `/v1/verifications/${String(v.body.id)}/check`, { body: { code } });
    expect(checked.body).toMatchObject({ status: 'approved', silent: { state: 'verified' } });
    // A code started after is the first alice gets, and it approves that later verification.
    const later = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } });
    const sms = await readCode(suite, alice);
    expect(suite.sim.inbox.list(alice)).toHaveLength(1);
    const laterChecked = await api(suite, 'POST', `/v1/verifications/${String(later.body.id)}/check`, { body: { code: sms } });
    expect(laterChecked.body).toMatchObject({ status: 'approved' });
  });

  it('sends a code by SMS when the device holds another number, and the code approves', async () => {
    const v = await startSilent('alice');
    const { next } = await device(String((v.body.silent as { url: string }).url), bob);
    expect(next.searchParams.get('outcome')).toBe('code_sent');
    expect(await read(v.body.id)).toMatchObject({ status: 'pending', silent: { state: 'fallback' } });
    const code = await readCode(suite, alice);
    const checked = await api(suite, 'POST', `/v1/verifications/${String(v.body.id)}/check`, { body: { code } });
    expect(checked.body).toMatchObject({ status: 'approved' });
  });

  it('falls back to SMS for a device on Wi-Fi (the operator cannot identify the line)', async () => {
    const v = await startSilent('alice');
    const { next } = await device(String((v.body.silent as { url: string }).url), null);
    expect(next.searchParams.get('outcome')).toBe('code_sent');
    await waitForInbox(suite, alice, 1);
  });

  it('falls back to SMS when the Number Verification API fails', async () => {
    const v = await startSilent('alice');
    network.configure({ failNext: 1 });
    const { next } = await device(String((v.body.silent as { url: string }).url), alice);
    expect(next.searchParams.get('outcome')).toBe('code_sent');
    expect(network.calls['number-verification/v2/verify']).toBeGreaterThanOrEqual(1);
    await waitForInbox(suite, alice, 1);
  });

  it('without fallback, a device the network does not vouch for ends the verification', async () => {
    const v = await startSilent('alice', { fallback: 'none' });
    const { next } = await device(String((v.body.silent as { url: string }).url), bob);
    expect(next.searchParams.get('outcome')).toBe('failed');
    expect(await read(v.body.id)).toMatchObject({ status: 'canceled', silent: { state: 'failed' } });
  });

  it('takes each return once: the same callback again is refused', async () => {
    const v = await startSilent('alice');
    const { callback } = await device(String((v.body.silent as { url: string }).url), alice);
    const again = await fetch(callback, { redirect: 'manual' });
    expect(again.status).toBe(404);
    expect(again.headers.get('content-type')).toContain('application/problem+json');
    expect(((await again.json()) as { code: string }).code).toBe('SILENT_STATE_UNKNOWN');
    const forged = await fetch(`${suite.baseUrl}/silent/callback?state=${'A'.repeat(43)}&code=x`, { redirect: 'manual' });
    expect(forged.status).toBe(404);
  });

  it('answers an unknown identifier alike, and its return sends nothing', async () => {
    const v = await startSilent('nobody-here');
    expect(v.status).toBe(201);
    expect(v.body).toMatchObject({ status: 'pending', channel: 'silent', silent: { state: 'pending' } });
    const { next } = await device(String((v.body.silent as { url: string }).url), alice);
    expect(next.searchParams.get('outcome')).toBe('code_sent');
    // Alice's own code, started after, is the first message she gets.
    await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } });
    expect(await waitForInbox(suite, alice, 1)).toHaveLength(1);
  });

  it('applies the SIM swap policy before the device is asked', async () => {
    network.lines.swapSim(alice, new Date(Date.now() - 3600 * 1000));
    await setPolicy(suite, { simSwapAction: 'reverse', simSwapHours: 24 });
    expect((await startSilent('alice')).body).toMatchObject({ code: 'REVERSE_CHANNEL_REQUIRED' });
    await setPolicy(suite, { simSwapAction: 'refuse', simSwapHours: 24 });
    expect((await startSilent('alice')).body).toMatchObject({ code: 'SIM_RECENTLY_SWAPPED' });
  });

  it('is for logins only, and needs a return URL', async () => {
    const payment = await startSilent('alice', { purpose: 'transaction', transaction: { amount: 1250, currency: 'EUR', payee: 'Acme' } });
    expect(payment.status).toBe(400);
    expect(payment.body).toMatchObject({ code: 'SILENT_UNAVAILABLE' });
    const noReturn = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice', channel: 'silent' } });
    expect(noReturn.status).toBe(400);
    expect(noReturn.body).toMatchObject({ code: 'INVALID_INPUT' });
    const notSilent = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice', returnUrl: shop } });
    expect(notSilent.status).toBe(400);
    // The return carries a code: never over plain http to another host.
    expect((await startSilent('alice', { returnUrl: 'http://shop.example/back' })).status).toBe(400);
  });

  it('sends no code on a resend while the device is away: the fallback sends it', async () => {
    const v = await startSilent('alice');
    const resent = await api(suite, 'POST', `/v1/verifications/${String(v.body.id)}/resend`, { body: {} });
    expect(resent.status).toBe(400);
    expect(resent.body).toMatchObject({ code: 'CHANNEL_UNSUPPORTED' });
  });

  // Last: it leaves bob locked.
  it('does not count a link opened on the wrong phone as a failed check', async () => {
    // Two wrong codes lock bob: the limit is live in this suite.
    for (let i = 0; i < 2; i++) {
      const v = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'bob' } });
      await api(suite, 'POST', `/v1/verifications/${String(v.body.id)}/check`, { body: { code: '000000' } });
    }
    expect((await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'bob' } })).body).toMatchObject({
      code: 'SUBSCRIBER_LOCKED',
    });
    // Three of alice's links opened on bob's phone: alice can still log in.
    for (let i = 0; i < 3; i++) {
      const v = await startSilent('alice', { fallback: 'none' });
      const { next } = await device(String((v.body.silent as { url: string }).url), bob);
      expect(next.searchParams.get('outcome')).toBe('failed');
    }
    const after = await startSilent('alice');
    expect(after.status).toBe(201);
    const { next } = await device(String((after.body.silent as { url: string }).url), alice);
    const checked = await api(suite, 'POST', `/v1/verifications/${String(after.body.id)}/check`, {
      body: { code: next.searchParams.get('code') },
    });
    expect(checked.body).toMatchObject({ status: 'approved' });
  });
});
