import { createLogger } from '@outband/observability';
import { startNetworkSimulator, type NetworkSimulator } from './network-simulator';

const logger = createLogger({ service: 'test', level: 'silent' });
let sim: NetworkSimulator;
let now = new Date('2026-12-01T12:00:00Z');

beforeAll(async () => {
  sim = await startNetworkSimulator({ port: 0, client: { id: 'outband', secret: 's3cret' }, mnpApiKey: 'k', clock: () => now, logger });
});
afterAll(() => sim.stop());
beforeEach(() => sim.lines.reset());

async function token(secret = 's3cret'): Promise<Response> {
  return fetch(`${sim.url}/oauth2/token`, {
    method: 'POST',
    headers: {
      authorization: `Basic ${Buffer.from(`outband:${secret}`).toString('base64')}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    body: 'grant_type=client_credentials&scope=sim-swap%3Acheck',
  });
}

async function camara(
  path: string,
  body: unknown,
  bearer?: string,
): Promise<{ status: number; body: Record<string, unknown>; correlator: string | null }> {
  const access = bearer ?? ((await (await token()).json()) as { access_token: string }).access_token;
  const res = await fetch(`${sim.url}/sim-swap/v2/${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${access}`, 'content-type': 'application/json', 'x-correlator': 'c-1' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, correlator: res.headers.get('x-correlator') };
}

it('issues client-credential tokens to its client only', async () => {
  const ok = await token();
  expect(ok.status).toBe(200);
  expect(await ok.json()).toMatchObject({ token_type: 'Bearer', expires_in: 3600 });
  expect((await token('wrong')).status).toBe(401);
});

it('says a SIM was swapped within maxAge hours, not before, and dates the change', async () => {
  const phoneNumber = '+33612345678';
  expect((await camara('check', { phoneNumber, maxAge: 24 })).body).toEqual({ swapped: false });
  sim.lines.swapSim(phoneNumber, new Date(now.getTime() - 30 * 3600 * 1000));
  expect((await camara('check', { phoneNumber, maxAge: 24 })).body).toEqual({ swapped: false });
  const within = await camara('check', { phoneNumber, maxAge: 48 });
  expect(within).toMatchObject({ status: 200, body: { swapped: true }, correlator: 'c-1' });
  expect((await camara('retrieve-date', { phoneNumber })).body).toEqual({
    latestSimChange: '2026-11-30T06:00:00.000Z',
    monitoredPeriod: 120,
  });
});

it("answers CAMARA's errors: no token, no number, a bad number, maxAge out of range", async () => {
  expect(await camara('check', { phoneNumber: '+33612345678' }, 'nope')).toMatchObject({ status: 401, body: { code: 'UNAUTHENTICATED' } });
  expect(await camara('check', { maxAge: 24 })).toMatchObject({ status: 422, body: { code: 'MISSING_IDENTIFIER' } });
  expect(await camara('check', { phoneNumber: '0612345678' })).toMatchObject({ status: 400, body: { code: 'INVALID_ARGUMENT' } });
  expect(await camara('check', { phoneNumber: '+33612345678', maxAge: 2401 })).toMatchObject({
    status: 400,
    body: { code: 'OUT_OF_RANGE' },
  });
});

it('tells a port through the number portability lookup, behind its key', async () => {
  const lookup = (key: string) =>
    fetch(`${sim.url}/mnp/v1/lookup`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ msisdn: '+33698765432' }),
    });
  expect(await (await lookup('k')).json()).toMatchObject({ ported: false, portedAt: null });
  await fetch(`${sim.url}/control/port`, { method: 'POST', body: JSON.stringify({ phoneNumber: '+33698765432' }) });
  expect(await (await lookup('k')).json()).toMatchObject({
    ported: true,
    portedAt: now.toISOString(),
    currentNetwork: { mccmnc: '20815' },
  });
  expect((await lookup('other')).status).toBe(401);
});

it('fails the next calls when told to', async () => {
  sim.configure({ failNext: 1 });
  expect(await camara('check', { phoneNumber: '+33612345678' })).toMatchObject({ status: 503, body: { code: 'UNAVAILABLE' } });
  expect((await camara('check', { phoneNumber: '+33612345678' })).status).toBe(200);
  now = new Date(now.getTime() + 1);
});
