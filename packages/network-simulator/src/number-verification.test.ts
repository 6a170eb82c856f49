import { createHash, randomBytes } from 'node:crypto';
import { createLogger } from '@outband/observability';
import { startNetworkSimulator, type NetworkSimulator } from './network-simulator';

const logger = createLogger({ service: 'test', level: 'silent' });
const redirectUri = 'https://shop.example/callback?from=nv';
const mine = '+33612345678';
const other = '+33698765432';
let sim: NetworkSimulator;
let now = new Date('2026-12-01T12:00:00Z');

beforeAll(async () => {
  sim = await startNetworkSimulator({
    port: 0,
    client: { id: 'outband', secret: 's3cret' },
    mnpApiKey: 'k',
    redirectUris: [redirectUri],
    clock: () => now,
    logger,
  });
});
afterAll(() => sim.stop());
beforeEach(() => {
  sim.lines.reset();
  sim.setDataSession(null);
  sim.configure({ failNext: 0 });
});

const verifier = randomBytes(32).toString('base64url');
const challenge = createHash('sha256').update(verifier).digest('base64url');
const basic = (secret = 's3cret') => `Basic ${Buffer.from(`outband:${secret}`).toString('base64')}`;

/** The device's browser at `/authorize`; `undefined` leaves a parameter out. */
async function authorize(
  params: Record<string, string | undefined> = {},
  headers: Record<string, string> = {},
): Promise<{ status: number; location: URL | null; body: string }> {
  const all = {
    response_type: 'code',
    client_id: 'outband',
    redirect_uri: redirectUri,
    scope: 'openid number-verification:verify',
    state: 'st 1',
    nonce: 'n-1',
    code_challenge: challenge,
    code_challenge_method: 'S256',
    prompt: 'none',
    ...params,
  };
  const query = new URLSearchParams(Object.entries(all).filter((e): e is [string, string] => e[1] !== undefined));
  const res = await fetch(`${sim.url}/authorize?${query.toString()}`, { redirect: 'manual', headers });
  const location = res.headers.get('location');
  return { status: res.status, location: location === null ? null : new URL(location), body: await res.text() };
}

async function codeFor(msisdn: string): Promise<string> {
  const a = await authorize({}, { 'x-msisdn': msisdn });
  const code = a.location?.searchParams.get('code');
  if (a.status !== 302 || !code) {
    throw new Error(`no code: ${a.status} ${a.location?.href}`);
  }
  return code;
}

async function exchange(form: Record<string, string>, secret?: string): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(`${sim.url}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: basic(secret), 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'authorization_code', redirect_uri: redirectUri, code_verifier: verifier, ...form }).toString(),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function tokenFor(msisdn: string): Promise<string> {
  const t = await exchange({ code: await codeFor(msisdn) });
  return String(t.body.access_token);
}

async function verify(token: string, body: unknown): Promise<{ status: number; body: Record<string, unknown>; correlator: string | null }> {
  const res = await fetch(`${sim.url}/number-verification/v2/verify`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'x-correlator': 'c-9' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, correlator: res.headers.get('x-correlator') };
}

it('verifies the number of the line the gateway names, through the code flow with PKCE', async () => {
  const a = await authorize({}, { 'x-msisdn': mine });
  expect(a.status).toBe(302);
  expect(a.location?.origin + (a.location?.pathname ?? '')).toBe('https://shop.example/callback');
  expect(a.location?.searchParams.get('from')).toBe('nv');
  expect(a.location?.searchParams.get('state')).toBe('st 1');
  const t = await exchange({ code: a.location?.searchParams.get('code') ?? '' });
  expect(t).toMatchObject({ status: 200, body: { token_type: 'Bearer', expires_in: 300, scope: 'openid number-verification:verify' } });
  const purpose = await authorize({ scope: 'openid dpv:FraudPreventionAndDetection number-verification:verify' }, { 'x-msisdn': mine });
  expect(purpose.location?.searchParams.has('code')).toBe(true);
  const before = sim.calls['number-verification/v2/verify'] ?? 0;
  expect(await verify(String(t.body.access_token), { phoneNumber: mine })).toEqual({
    status: 200,
    body: { devicePhoneNumberVerified: true },
    correlator: 'c-9',
  });
  expect(sim.calls['number-verification/v2/verify']).toBe(before + 1);
});

it("says false for another line's number, plain or hashed with its +", async () => {
  expect((await verify(await tokenFor(mine), { phoneNumber: other })).body).toEqual({ devicePhoneNumberVerified: false });
  const hash = (n: string) => createHash('sha256').update(n).digest('hex');
  expect((await verify(await tokenFor(mine), { hashedPhoneNumber: hash(mine) })).body).toEqual({ devicePhoneNumberVerified: true });
  expect((await verify(await tokenFor(mine), { hashedPhoneNumber: hash(mine).toUpperCase() })).body).toEqual({
    devicePhoneNumberVerified: true,
  });
  expect((await verify(await tokenFor(mine), { hashedPhoneNumber: hash(mine.slice(1)) })).body).toEqual({
    devicePhoneNumberVerified: false,
  });
  expect((await verify(await tokenFor(mine), { hashedPhoneNumber: hash(other) })).body).toEqual({ devicePhoneNumberVerified: false });
});

it('takes the line of the data session when the gateway sends no header, the header first', async () => {
  const set = await fetch(`${sim.url}/control/data-session`, { method: 'POST', body: JSON.stringify({ phoneNumber: other }) });
  expect(await set.json()).toEqual({ phoneNumber: other });
  expect(sim.dataSession).toBe(other);
  const code = (await authorize()).location?.searchParams.get('code') ?? '';
  const t = await exchange({ code });
  expect((await verify(String(t.body.access_token), { phoneNumber: other })).body).toEqual({ devicePhoneNumberVerified: true });
  expect((await verify(await tokenFor(mine), { phoneNumber: mine })).body).toEqual({ devicePhoneNumberVerified: true });
  await fetch(`${sim.url}/control/data-session`, { method: 'POST', body: JSON.stringify({ phoneNumber: null }) });
  expect(sim.dataSession).toBeNull();
});

it('answers login_required with the state when no line is known (Wi-Fi)', async () => {
  const a = await authorize();
  expect(a.status).toBe(302);
  expect(a.location?.searchParams.get('error')).toBe('login_required');
  expect(a.location?.searchParams.get('error_description')).toEqual(expect.any(String));
  expect(a.location?.searchParams.get('state')).toBe('st 1');
  expect(a.location?.searchParams.has('code')).toBe(false);
  sim.lines.markForeign(mine);
  expect((await authorize({}, { 'x-msisdn': mine })).location?.searchParams.get('error')).toBe('login_required');
});

it('refuses a wrong PKCE verifier, a reused code, another redirect_uri and an expired code', async () => {
  const wrong = randomBytes(32).toString('base64url');
  expect(await exchange({ code: await codeFor(mine), code_verifier: wrong })).toMatchObject({
    status: 400,
    body: { error: 'invalid_grant' },
  });

  const code = await codeFor(mine);
  const first = await exchange({ code });
  expect(first.status).toBe(200);
  expect(await exchange({ code })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  // A replayed code revokes the token it bought.
  expect((await verify(String(first.body.access_token), { phoneNumber: mine })).status).toBe(401);

  const elsewhere = await exchange({ code: await codeFor(mine), redirect_uri: 'https://shop.example/callback' });
  expect(elsewhere).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });

  const late = await codeFor(mine);
  now = new Date(now.getTime() + 61_000);
  expect(await exchange({ code: late })).toMatchObject({ status: 400, body: { error: 'invalid_grant' } });
  expect(await exchange({ code: await codeFor(mine) }, 'wrong')).toMatchObject({ status: 401, body: { error: 'invalid_client' } });
  expect(await exchange({ code: await codeFor(mine), code_verifier: '' })).toMatchObject({
    status: 400,
    body: { error: 'invalid_request' },
  });
});

it('lets a token answer one call, within five minutes', async () => {
  const token = await tokenFor(mine);
  expect((await verify(token, { phoneNumber: mine })).status).toBe(200);
  expect(await verify(token, { phoneNumber: mine })).toMatchObject({ status: 401, body: { status: 401, code: 'UNAUTHENTICATED' } });
  const old = await tokenFor(mine);
  now = new Date(now.getTime() + 301_000);
  expect((await verify(old, { phoneNumber: mine })).status).toBe(401);
  expect((await verify('nope', { phoneNumber: mine })).status).toBe(401);
});

it('refuses a client-credentials token: the network did not authenticate the device', async () => {
  const res = await fetch(`${sim.url}/oauth2/token`, {
    method: 'POST',
    headers: { authorization: basic(), 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials',
  });
  const twoLegged = ((await res.json()) as { access_token: string }).access_token;
  expect(await verify(twoLegged, { phoneNumber: mine })).toMatchObject({
    status: 403,
    body: { status: 403, code: 'NUMBER_VERIFICATION.USER_NOT_AUTHENTICATED_BY_MOBILE_NETWORK' },
  });
});

it('refuses a body that is not exactly one of phoneNumber or hashedPhoneNumber, spending the token', async () => {
  const hashed = createHash('sha256').update(mine).digest('hex');
  for (const body of [
    {},
    { phoneNumber: mine, hashedPhoneNumber: hashed },
    { phoneNumber: mine, extra: 1 },
    { phoneNumber: '0612345678' },
  ]) {
    expect(await verify(await tokenFor(mine), body)).toMatchObject({ status: 400, body: { status: 400, code: 'INVALID_ARGUMENT' } });
  }
  expect((await verify(await tokenFor(mine), { hashedPhoneNumber: 'abc' })).status).toBe(400);
  const token = await tokenFor(mine);
  expect((await verify(token, [mine])).status).toBe(400);
  expect((await verify(token, { phoneNumber: mine })).status).toBe(401);
});

it('refuses an unregistered redirect_uri or client without redirecting, other faults by redirect', async () => {
  for (const params of [{ redirect_uri: 'https://evil.example/cb' }, { redirect_uri: undefined }, { client_id: 'someone' }]) {
    const a = await authorize(params, { 'x-msisdn': mine });
    expect(a.status).toBe(400);
    expect(a.location).toBeNull();
    expect(JSON.parse(a.body)).toMatchObject({ error: 'invalid_request', error_description: expect.any(String) });
  }
  const faults: Array<[Record<string, string | undefined>, string]> = [
    [{ code_challenge: undefined }, 'invalid_request'],
    [{ code_challenge_method: 'plain' }, 'invalid_request'],
    [{ scope: 'openid' }, 'invalid_scope'],
    [{ scope: 'number-verification:verify' }, 'invalid_scope'],
    [{ scope: 'openid number-verification:verify sim-swap' }, 'invalid_scope'],
    [{ scope: 'openid dpv:FraudPreventionAndDetection dpv:Marketing number-verification:verify' }, 'invalid_scope'],
    [{ response_type: 'token' }, 'unsupported_response_type'],
  ];
  for (const [params, error] of faults) {
    const a = await authorize(params, { 'x-msisdn': mine });
    expect([a.status, a.location?.searchParams.get('error'), a.location?.searchParams.get('state')]).toEqual([302, error, 'st 1']);
    expect(a.location?.searchParams.has('code')).toBe(false);
  }
  const stateless = await authorize({ state: undefined }, { 'x-msisdn': mine });
  expect([stateless.location?.searchParams.get('error'), stateless.location?.searchParams.has('code')]).toEqual(['invalid_request', false]);
});

it('names the device by GET /device-phone-number, with that scope only', async () => {
  const read = async (token: string) => {
    const res = await fetch(`${sim.url}/number-verification/v2/device-phone-number`, { headers: { authorization: `Bearer ${token}` } });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const a = await authorize(
    { scope: 'openid number-verification:verify number-verification:device-phone-number:read' },
    { 'x-msisdn': mine },
  );
  const t = await exchange({ code: a.location?.searchParams.get('code') ?? '' });
  expect(await read(String(t.body.access_token))).toEqual({ status: 200, body: { devicePhoneNumber: mine } });
  expect(await read(await tokenFor(mine))).toMatchObject({ status: 403, body: { code: 'PERMISSION_DENIED' } });
});

it('fails the next call when told to, keeping the token for the retry; the token endpoint is not affected', async () => {
  sim.configure({ failNext: 1 });
  const token = await tokenFor(mine);
  expect(await verify(token, { phoneNumber: mine })).toMatchObject({ status: 503, body: { code: 'UNAVAILABLE' } });
  expect(await verify(token, { phoneNumber: mine })).toMatchObject({ status: 200, body: { devicePhoneNumberVerified: true } });
});
