import { randomBytes, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Redis } from 'ioredis';
import { seal } from '@outband/contracts';
import { openDatabase } from '@outband/db';
import { api } from '../support/http';
import { servers, startSuite, type Suite } from '../support/suite';

// Whoever reads Redis or the database (a backup, a replica, a shared cache) finds no secret in clear.
const adminToken = randomBytes(32).toString('base64url');
// CONTENT_KEYS: the suite starts on k1; the rotation test moves it to k2.
const k1 = `k1:${randomBytes(32).toString('base64')}`;
const k2 = `k2:${randomBytes(32).toString('base64')}`;
let suite: Suite;
let redis: Redis;
beforeAll(async () => {
  suite = await startSuite({ env: { ADMIN_TOKENS: `ops:${adminToken}`, MERCHANT_KEY_CACHE_MS: '0', CONTENT_KEYS: k1 } });
  redis = new Redis(servers.redis);
});
afterAll(async () => {
  redis?.disconnect();
  await suite?.stop();
});

/** Every value Redis holds for this suite, as text. */
async function redisValues(): Promise<string> {
  const keys = await redis.keys(`${suite.redisPrefix}:*`);
  const values = await Promise.all(keys.map(async (k) => ((await redis.type(k)) === 'string' ? ((await redis.get(k)) ?? '') : '')));
  return values.join('\n');
}

const keyRow = async (merchantId: string, kid: string) => {
  const db = openDatabase(suite.databaseUrl, { min: 0, max: 1 });
  const row = await db('merchant_keys').where({ merchant_id: merchantId, kid }).first<{ key_material: string }>();
  await db.destroy();
  return row?.key_material ?? '';
};

/** A GET that only an authenticated merchant gets a 404 for (an unknown verification). */
const readAs = (token: string) => api(suite, 'GET', '/v1/verifications/ve_00000000000000000000000000000000', { token });

/** The data server's log lines (JSON) with this message fragment, for this key of the merchant. */
const logged = (fragment: string, kid: string) =>
  suite.logs
    .map((line) => JSON.parse(line) as { msg?: string; merchantId?: string; kid?: string; level?: number })
    .filter((l) => l.msg?.includes(fragment) && l.merchantId === suite.merchant.id && l.kid === kid);

const tokenOf = (merchantId: string, kid: string, secret: string) =>
  jwt.sign({}, Buffer.from(secret, 'base64'), {
    algorithm: 'HS256',
    issuer: merchantId,
    audience: 'outband',
    expiresIn: 60,
    keyid: kid,
    jwtid: randomUUID(),
  });

describe('secrets at rest', () => {
  it('keeps answers replayed by Idempotency-Key sealed: a webhook secret is not in Redis, the replay still gives it', async () => {
    const key = randomUUID();
    const register = () =>
      api(suite, 'POST', '/v1/webhooks', {
        body: { url: 'http://127.0.0.1:9/hooks', events: ['verification.approved'] },
        headers: { 'idempotency-key': key },
      });
    const first = await register();
    expect(first.status).toBe(201);
    const secret = String(first.body.secret);
    expect(secret).toMatch(/^whsec_/);
    const replay = await register();
    expect(replay.headers.get('idempotent-replayed')).toBe('true');
    expect(replay.body.secret).toBe(secret);
    const stored = await redisValues();
    expect(stored).toContain('"state":"done"'); // the answer is there, sealed
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(secret.slice('whsec_'.length));
  });

  it("seals a merchant's HS256 secret in the database, and tokens it signs still work", async () => {
    const secret = randomBytes(32).toString('base64');
    const put = await api(suite, 'PUT', `/admin/v1/merchants/${suite.merchant.id}/keys/k-sealed`, {
      token: adminToken,
      body: { alg: 'HS256', key: secret },
    });
    expect(put.status).toBe(200);
    const stored = await keyRow(suite.merchant.id, 'k-sealed');
    expect(stored).toMatch(/^sealed:/);
    expect(stored).not.toContain(secret);
    const read = await api(suite, 'GET', '/v1/verifications/ve_00000000000000000000000000000000', {
      token: tokenOf(suite.merchant.id, 'k-sealed', secret),
    });
    expect(read.status).toBe(404); // authenticated: an unknown verification, not a refused token
  });

  it('seals secrets written in clear before (an older version, a seed) when the data server starts', async () => {
    const secret = randomBytes(32).toString('base64');
    const db = openDatabase(suite.databaseUrl, { min: 0, max: 1 });
    await db('merchant_keys').insert({
      merchant_id: suite.merchant.id,
      kid: 'k-old',
      alg: 'HS256',
      key_material: secret,
      status: 'active',
    });
    await db.destroy();
    expect(await keyRow(suite.merchant.id, 'k-old')).toBe(secret);
    await suite.restartDataServer();
    const stored = await keyRow(suite.merchant.id, 'k-old');
    expect(stored).toMatch(/^sealed:/);
    expect(stored).not.toContain(secret);
    const read = await api(suite, 'GET', '/v1/verifications/ve_00000000000000000000000000000000', {
      token: tokenOf(suite.merchant.id, 'k-old', secret),
    });
    expect(read.status).toBe(404);
  });

  it('re-seals secrets under the new active key at start, so the old key can then leave the ring', async () => {
    const secret = randomBytes(32).toString('base64');
    const put = await api(suite, 'PUT', `/admin/v1/merchants/${suite.merchant.id}/keys/k-rot`, {
      token: adminToken,
      body: { alg: 'HS256', key: secret },
    });
    expect(put.status).toBe(200);
    expect(await keyRow(suite.merchant.id, 'k-rot')).toMatch(/^sealed:k1\./);

    // Step 1: k2 seals, k1 still opens. The start re-seals every row under k2.
    await suite.restartDataServer({ CONTENT_KEYS: `${k2},${k1}` });
    const resealed = await keyRow(suite.merchant.id, 'k-rot');
    expect(resealed).toMatch(/^sealed:k2\./);
    expect(resealed).not.toContain(secret);
    expect(await keyRow(suite.merchant.id, suite.merchant.kid)).toMatch(/^sealed:k2\./);
    expect((await readAs(tokenOf(suite.merchant.id, 'k-rot', secret))).status).toBe(404);

    // Step 2: k1 is dropped. Nothing was left under it: the merchant's keys still work.
    await suite.restartDataServer({ CONTENT_KEYS: k2 });
    expect(await keyRow(suite.merchant.id, 'k-rot')).toBe(resealed); // already under the active key: untouched
    expect((await readAs(tokenOf(suite.merchant.id, 'k-rot', secret))).status).toBe(404);
    expect((await readAs(suite.token())).status).toBe(404);
  });

  it("refuses only a key no ring key opens, says so without the secret, and keeps the merchant's other keys working", async () => {
    const secret = randomBytes(32).toString('base64');
    // Sealed with a key that has left the ring (dropped before the rows were re-sealed).
    const lost = { id: 'k0', key: randomBytes(32) };
    const db = openDatabase(suite.databaseUrl, { min: 0, max: 1 });
    await db('merchant_keys').insert({
      merchant_id: suite.merchant.id,
      kid: 'k-lost',
      alg: 'HS256',
      key_material: `sealed:${seal([lost], secret, `merchant-key:${suite.merchant.id}:k-lost`)}`,
      status: 'active',
    });
    await db.destroy();

    // A start reports the row loudly, leaves it as it is, and goes on.
    const before = await keyRow(suite.merchant.id, 'k-lost');
    await suite.restartDataServer({ CONTENT_KEYS: k2 });
    expect(await keyRow(suite.merchant.id, 'k-lost')).toBe(before);
    const atStart = logged('no key of CONTENT_KEYS opens', 'k-lost');
    expect(atStart).toHaveLength(1);
    expect(atStart[0]).toMatchObject({ level: 50, sealedWith: 'k0', status: 'active' });

    // The merchant's other keys still verify tokens; the lost one alone is refused, told once.
    expect((await readAs(suite.token())).status).toBe(404);
    expect((await readAs(tokenOf(suite.merchant.id, 'k-lost', secret))).status).toBe(401);
    expect((await readAs(tokenOf(suite.merchant.id, 'k-lost', secret))).status).toBe(401);
    expect((await readAs(suite.token())).status).toBe(404);
    const onRead = logged('cannot be opened with CONTENT_KEYS', 'k-lost');
    expect(onRead).toHaveLength(1);
    expect(onRead[0]).toMatchObject({ level: 50, sealedWith: 'k0' });
    expect(suite.logs.join('\n')).not.toContain(secret);
  });
});
