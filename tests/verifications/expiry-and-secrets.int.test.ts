import { Redis } from 'ioredis';
import { openDatabase } from '@outband/db';
import { api, eventually, readCode } from '../support/http';
import { servers, startSuite, subscribers, type Suite } from '../support/suite';

let suite: Suite;
let redis: Redis;
beforeAll(async () => {
  suite = await startSuite({ env: { CODE_TTL_SECONDS: '2' } });
  redis = new Redis(servers.redis);
});
afterAll(async () => {
  redis?.disconnect();
  await suite?.stop();
});

async function start(): Promise<string> {
  const res = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } });
  expect(res.status).toBe(201);
  return String(res.body.id);
}

describe('expiry', () => {
  it('refuses a right code after the lifetime with "too much time elapsed"', async () => {
    const id = await start();
    const code = await readCode(suite, subscribers.alice.address, 1);
    // CODE_TTL_SECONDS is 2 in this suite: wait until the verification reads as expired.
    await eventually(
      async () => ((await api(suite, 'GET', `/v1/verifications/${id}`)).body.status === 'expired' ? true : undefined),
      10_000,
    );
    const res = await api(suite, 'POST', `/v1/verifications/${id}/check`, { body: { code } });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('VERIFICATION_EXPIRED');
    expect(String(res.body.detail)).toContain('too much time elapsed');
    expect((await api(suite, 'GET', `/v1/verifications/${id}`)).body.status).toBe('expired');
  });

  it('fails closed when Redis has lost the pending secret: never approves', async () => {
    const id = await start();
    const code = await readCode(suite, subscribers.alice.address, 2);
    const keys = await redis.keys(`${suite.redisPrefix}:v:{${id}}:*`);
    expect(keys.length).toBeGreaterThan(0);
    await redis.del(...keys);
    // Redis lost its script cache too (a restart): the scripts are sent again.
    await redis.script('FLUSH');
    const res = await api(suite, 'POST', `/v1/verifications/${id}/check`, { body: { code } });
    expect(res.body.code).toBe('VERIFICATION_EXPIRED');
  });
});

describe('secrets at rest and in logs', () => {
  it('never writes a code in clear to the logs, Redis or MySQL', async () => {
    const ids: string[] = [];
    const codes: string[] = [];
    for (let i = 0; i < 3; i++) {
      ids.push(await start());
      codes.push(await readCode(suite, subscribers.alice.address, 3 + i));
    }
    // One wrong check and one right one, so check paths have logged too.
    await api(suite, 'POST', `/v1/verifications/${ids[0]}/check`, { body: { code: codes[0] === '999999' ? '999998' : '999999' } });
    await api(suite, 'POST', `/v1/verifications/${ids[1]}/check`, { body: { code: codes[1] } });
    await eventually(
      async () =>
        ((await api(suite, 'GET', `/v1/verifications/${ids[2]}`)).body.delivery as { state: string } | undefined)?.state === 'delivered' ||
        undefined,
    );

    const redisDump: string[] = [];
    for (const key of await redis.keys(`${suite.redisPrefix}:*`)) {
      const type = await redis.type(key);
      const value = type === 'hash' ? await redis.hgetall(key) : type === 'zset' ? await redis.zrange(key, 0, -1) : await redis.get(key);
      redisDump.push(key, JSON.stringify(value));
    }
    expect(redisDump.length).toBeGreaterThan(0);

    const db = openDatabase(suite.databaseUrl, { min: 0, max: 1 });
    const tables = ['verifications', 'certificates', 'messages'];
    const rows = await Promise.all(tables.map((t) => db(t).select()));
    await db.destroy();
    const mysqlDump = JSON.stringify(rows);
    expect(rows.every((r) => r.length > 0)).toBe(true);

    expect(suite.logs.length).toBeGreaterThan(10);
    const logDump = suite.logs.join('\n');
    for (const code of codes) {
      const inClear = new RegExp(`(^|\\D)${code}(\\D|$)`);
      expect({ code, inLogs: inClear.test(logDump) }).toEqual({ code, inLogs: false });
      expect({ code, inRedis: inClear.test(redisDump.join('\n')) }).toEqual({ code, inRedis: false });
      expect({ code, inMysql: inClear.test(mysqlDump) }).toEqual({ code, inMysql: false });
    }
    // The keys themselves never reach a log line either.
    for (const ring of Object.values(suite.keys)) {
      expect(logDump).not.toContain(ring.split(':')[1]);
    }
  });
});
