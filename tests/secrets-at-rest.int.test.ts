import { randomBytes, randomUUID } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { Redis } from 'ioredis';
import { openDatabase } from '@outband/db';
import { api } from './support/http';
import { servers, startSuite, type Suite } from './support/suite';

// Whoever reads Redis or the database (a backup, a replica, a shared cache) finds no secret in clear.
const adminToken = randomBytes(32).toString('base64url');
let suite: Suite;
let redis: Redis;
beforeAll(async () => {
  suite = await startSuite({ env: { ADMIN_TOKENS: `ops:${adminToken}`, MERCHANT_KEY_CACHE_MS: '0' } });
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
});
