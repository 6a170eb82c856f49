import { generateKeyPairSync, randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { openDatabase } from '@outband/db';
import { api, eventually, readCode } from '../support/http';
import { startSuite, subscribers, type Suite } from '../support/suite';

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const rsaPublicPem = rsa.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const ecPublicPem = ec.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const otherSecret = randomBytes(32).toString('base64');

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({
    env: { MERCHANT_KEY_CACHE_MS: '1000', SEND_LIMIT_PER_ADDRESS: '1000' },
    seed: [
      { merchant: { id: 'rsa-shop', name: 'RSA shop', keys: [{ kid: 'r1', alg: 'RS256', key: rsaPublicPem }] }, subscribers: [] },
      { merchant: { id: 'ec-shop', name: 'EC shop', keys: [{ kid: 'e1', alg: 'ES256', key: ecPublicPem }] }, subscribers: [] },
      { merchant: { id: 'other-shop', name: 'Other shop', keys: [{ kid: 'o1', alg: 'HS256', key: otherSecret }] }, subscribers: [] },
      { merchant: { id: 'rotating-shop', name: 'Rotating shop', keys: [{ kid: 'r1', alg: 'HS256', key: otherSecret }] }, subscribers: [] },
    ],
  });
});
afterAll(async () => {
  await suite?.stop();
});

const start = (token: string | null) => api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' }, token });

function expectProblem(res: Awaited<ReturnType<typeof api>>, status: number, code: string): void {
  expect({ status: res.status, code: res.body.code }).toEqual({ status, code });
  expect(res.contentType).toContain('application/problem+json');
  expect(res.body).toMatchObject({
    status,
    title: expect.any(String),
    detail: expect.any(String),
    type: expect.stringContaining('https://'),
  });
}

describe('merchant JWT authentication', () => {
  it('refuses a request without a token', async () => {
    const res = await start(null);
    expectProblem(res, 401, 'AUTH_MISSING');
    expect(res.headers.get('www-authenticate')).toBe('Bearer');
  });

  it('refuses a token signed with another secret (forged)', async () => {
    expectProblem(await start(suite.token({ secret: randomBytes(32).toString('base64') })), 401, 'TOKEN_INVALID');
  });

  it('refuses an expired token', async () => {
    const expired = suite.token({ expiresIn: -120 });
    expectProblem(await start(expired), 401, 'TOKEN_EXPIRED');
  });

  it('refuses a token for another audience', async () => {
    expectProblem(await start(suite.token({ audience: 'someone-else' })), 401, 'TOKEN_AUDIENCE_INVALID');
  });

  it('refuses a token without exp, or whose exp is more than 5 minutes ahead', async () => {
    const noExp = jwt.sign({}, Buffer.from(suite.merchant.secret, 'base64'), {
      algorithm: 'HS256',
      issuer: suite.merchant.id,
      audience: 'outband',
      keyid: 'k1',
    });
    expectProblem(await start(noExp), 401, 'TOKEN_INVALID');
    expectProblem(await start(suite.token({ expiresIn: 3600 })), 401, 'TOKEN_LIFETIME_TOO_LONG');
  });

  it('accepts a token with a jti once: a replay is refused until the token expires', async () => {
    const once = suite.token({ jwtid: 'req-7f3a9c' });
    expect((await start(once)).status).toBe(201);
    expectProblem(await start(once), 401, 'TOKEN_REPLAYED');
    expect((await start(suite.token({ jwtid: 'req-7f3a9d' }))).status).toBe(201);
  });

  it('rotates merchant keys: two keys valid at once, then the retired one refused', async () => {
    const next = randomBytes(32).toString('base64');
    const db = openDatabase(suite.databaseUrl, { min: 0, max: 1 });
    try {
      await db('merchant_keys').insert({ merchant_id: 'rotating-shop', kid: 'r2', alg: 'HS256', key_material: next, status: 'active' });
      const sign = (secret: string, kid: string) =>
        jwt.sign({}, Buffer.from(secret, 'base64'), {
          algorithm: 'HS256',
          issuer: 'rotating-shop',
          audience: 'outband',
          expiresIn: 60,
          keyid: kid,
        });
      // The key cache keeps keys for MERCHANT_KEY_CACHE_MS (1 s in this suite): wait for the new
      // key to be taken, then both keys are valid at once.
      await eventually(async () => ((await start(sign(next, 'r2'))).status === 201 ? true : undefined), 5000);
      expect((await start(sign(otherSecret, 'r1'))).status).toBe(201);
      expect((await start(sign(next, 'r2'))).status).toBe(201);
      await db('merchant_keys').where({ merchant_id: 'rotating-shop', kid: 'r1' }).update({ status: 'retired' });
      const retired = await eventually(async () => {
        const res = await start(sign(otherSecret, 'r1'));
        return res.status === 201 ? undefined : res;
      }, 5000);
      expectProblem(retired, 401, 'TOKEN_INVALID');
      expect((await start(sign(next, 'r2'))).status).toBe(201);
    } finally {
      await db.destroy();
    }
  });

  it('refuses alg "none"', async () => {
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT', kid: 'k1' })).toString('base64url');
    const payload = Buffer.from(
      JSON.stringify({ iss: suite.merchant.id, aud: 'outband', exp: Math.floor(Date.now() / 1000) + 60 }),
    ).toString('base64url');
    expectProblem(await start(`${header}.${payload}.`), 401, 'TOKEN_INVALID');
  });

  it("refuses HS/RS confusion: an HS256 token keyed with the merchant's RSA public key", async () => {
    const confused = jwt.sign({}, Buffer.from(rsaPublicPem), {
      algorithm: 'HS256',
      issuer: 'rsa-shop',
      audience: 'outband',
      expiresIn: 60,
      keyid: 'r1',
    });
    expectProblem(await start(confused), 401, 'TOKEN_INVALID');
  });

  it('refuses an unknown merchant and an unknown kid with the same answer', async () => {
    const unknownMerchant = suite.token({ issuer: 'ghost-shop' });
    const unknownKid = suite.token({ keyid: 'nope' });
    const a = await start(unknownMerchant);
    const b = await start(unknownKid);
    expectProblem(a, 401, 'TOKEN_INVALID');
    expect(b.body).toEqual(a.body);
  });

  it("accepts RS256 and ES256 tokens signed with the merchant's private key", async () => {
    const rs = jwt.sign({}, rsa.privateKey, { algorithm: 'RS256', issuer: 'rsa-shop', audience: 'outband', expiresIn: 60, keyid: 'r1' });
    expect((await start(rs)).status).toBe(201);
    const es = jwt.sign({}, ec.privateKey, { algorithm: 'ES256', issuer: 'ec-shop', audience: 'outband', expiresIn: 60, keyid: 'e1' });
    expect((await start(es)).status).toBe(201);
  });

  it("hides a merchant's verification from another merchant (404), for reading, checking and canceling", async () => {
    const created = await start(suite.token());
    expect(created.status).toBe(201);
    const id = String(created.body.id);
    const other = jwt.sign({}, Buffer.from(otherSecret, 'base64'), {
      algorithm: 'HS256',
      issuer: 'other-shop',
      audience: 'outband',
      expiresIn: 60,
      keyid: 'o1',
    });
    expectProblem(await api(suite, 'GET', `/v1/verifications/${id}`, { token: other }), 404, 'VERIFICATION_NOT_FOUND');
    const code = await readCode(suite, subscribers.alice.address, 3);
    expectProblem(
      await api(suite, 'POST', `/v1/verifications/${id}/check`, { token: other, body: { code } }),
      404,
      'VERIFICATION_NOT_FOUND',
    );
    expectProblem(await api(suite, 'POST', `/v1/verifications/${id}/cancel`, { token: other }), 404, 'VERIFICATION_NOT_FOUND');
    // The owner's code still works: the other merchant's tries changed nothing.
    expect((await api(suite, 'POST', `/v1/verifications/${id}/check`, { body: { code } })).body.status).toBe('approved');
  });
});

describe('malformed requests get 4xx problem+json, never a 500', () => {
  it('invalid JSON', async () => {
    expectProblem(await api(suite, 'POST', '/v1/verifications', { raw: '{"identifier": ' }), 400, 'INVALID_JSON');
  });

  it('missing, wrongly typed and unknown fields, each listed', async () => {
    const missing = await api(suite, 'POST', '/v1/verifications', { body: {} });
    expectProblem(missing, 400, 'INVALID_INPUT');
    expect(missing.body.errors).toEqual([expect.objectContaining({ field: 'identifier' })]);
    const typed = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 42, purpose: 'payment' } });
    expectProblem(typed, 400, 'INVALID_INPUT');
    expect((typed.body.errors as Array<{ field: string }>).map((e) => e.field).sort()).toEqual(['identifier', 'purpose']);
    expectProblem(await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice', extra: true } }), 400, 'INVALID_INPUT');
    expectProblem(await api(suite, 'POST', '/v1/verifications', { body: ['alice'] }), 400, 'INVALID_INPUT');
    expectProblem(await api(suite, 'POST', '/v1/verifications', { raw: 'null' }), 400, 'INVALID_JSON');
  });

  it('a code that is not 4-10 digits is refused without costing an attempt', async () => {
    const created = await start(suite.token());
    const id = String(created.body.id);
    for (const code of ['12ab56', '', '1'.repeat(11), 123456]) {
      expectProblem(await api(suite, 'POST', `/v1/verifications/${id}/check`, { body: { code } }), 400, 'INVALID_INPUT');
    }
    expect((await api(suite, 'GET', `/v1/verifications/${id}`)).body.attemptsLeft).toBe(5);
  });

  it('an oversized body', async () => {
    expectProblem(
      await api(suite, 'POST', '/v1/verifications', { raw: JSON.stringify({ identifier: 'a'.repeat(20_000) }) }),
      413,
      'PAYLOAD_TOO_LARGE',
    );
  });

  it('a body that is not JSON', async () => {
    const res = await api(suite, 'POST', '/v1/verifications', {
      raw: 'identifier=alice',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expectProblem(res, 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('malformed and unknown ids, and unknown routes', async () => {
    expectProblem(await api(suite, 'GET', '/v1/verifications/not-an-id'), 404, 'VERIFICATION_NOT_FOUND');
    expectProblem(await api(suite, 'GET', `/v1/verifications/ve_${'0'.repeat(32)}`), 404, 'VERIFICATION_NOT_FOUND');
    expectProblem(await api(suite, 'GET', '/v9/nothing'), 404, 'ROUTE_NOT_FOUND');
  });
});
