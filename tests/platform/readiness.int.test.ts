import { privateMariadb, privateRedis, type PrivateServer } from '../support/private-servers';
import { eventually } from '../support/http';
import { startSuite, type Suite } from '../support/suite';

// Readiness follows the dependencies: private Redis and MariaDB instances are stopped and
// started again under running services (the machine's shared servers are never touched).
let redis: PrivateServer;
let mariadb: PrivateServer;
let suite: Suite;
beforeAll(async () => {
  redis = await privateRedis();
  mariadb = await privateMariadb();
  suite = await startSuite({ env: { REDIS_URL: redis.url }, mysql: mariadb.url });
}, 60_000);
afterAll(async () => {
  await suite?.stop();
  await redis?.destroy();
  await mariadb?.destroy();
});

async function readiness(url: string): Promise<{ status: number; body: string }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.text() };
}
const info = () => readiness(`${suite.baseUrl}/readyz`);
const data = () => readiness(`http://127.0.0.1:${suite.data.opsPort}/readyz`);
const message = () => readiness(`http://127.0.0.1:${suite.message.opsPort}/readyz`);
const until = (probe: () => Promise<{ status: number; body: string }>, status: number) =>
  eventually(async () => {
    const r = await probe();
    return r.status === status ? r : undefined;
  }, 30_000);

describe('readiness', () => {
  it('is ready with every dependency up; alive whatever happens', async () => {
    expect((await info()).status).toBe(200);
    expect((await data()).status).toBe(200);
    expect((await message()).status).toBe(200);
  });

  it('turns false with the reason when Redis is unreachable, and true again when it is back', async () => {
    await redis.stop();
    expect((await until(info, 503)).body).toContain('redis');
    expect((await until(data, 503)).body).toContain('redis');
    expect((await fetch(`${suite.baseUrl}/healthz`)).status).toBe(200);
    await redis.start();
    await until(info, 200);
    await until(data, 200);
  }, 60_000);

  it('turns false when MySQL is unreachable, and true again when it is back', async () => {
    await mariadb.stop();
    expect((await until(data, 503)).body).toContain('mysql');
    expect((await until(message, 503)).body).toContain('mysql');
    await mariadb.start();
    await until(data, 200);
    await until(message, 200);
  }, 60_000);
});
