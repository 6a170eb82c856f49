import { randomBytes } from 'node:crypto';
import { startSuite, type Suite } from '../support/suite';

// Operator tokens open the admin API and the ops page: a client IP that keeps failing is refused
// before its credentials are compared, right or wrong, until it stops for the window. Run on Redis
// and on the in-memory store of the embedded default: the count is a Lua script on both.
const token = randomBytes(32).toString('base64url');
const basic = (password: string) => `Basic ${Buffer.from(`ops-ann:${password}`).toString('base64')}`;
const wrong = `Bearer ${'x'.repeat(40)}`;

describe.each([
  ['Redis', false],
  ['the in-memory store', true],
])('failed operator logins (%s)', (_store, embedded) => {
  let suite: Suite;
  beforeAll(async () => {
    suite = await startSuite({
      embedded,
      // One proxy hop trusted: X-Forwarded-For gives each test client an address of its own.
      env: {
        ADMIN_TOKENS: `ops-ann:${token}`,
        OPERATOR_AUTH_FAILURE_LIMIT: '3',
        OPERATOR_AUTH_FAILURE_WINDOW_SECONDS: '600',
        TRUST_PROXY_HOPS: '1',
      },
    });
  });
  afterAll(async () => {
    await suite?.stop();
  });

  const get = (path: string, ip: string, authorization?: string) =>
    fetch(`${suite.baseUrl}${path}`, { headers: { 'x-forwarded-for': ip, ...(authorization ? { authorization } : {}) } });
  const statuses = async (answers: Array<Promise<Response>>) => (await Promise.all(answers)).map((r) => r.status);
  const count = (list: number[], status: number) => list.filter((s) => s === status).length;

  it('refuse an address after too many failures, even with the right token, with 429 and Retry-After', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await get('/admin/v1/merchants', '203.0.113.7', wrong)).status).toBe(401);
    }
    const refused = await get('/admin/v1/merchants', '203.0.113.7', `Bearer ${token}`);
    expect(refused.status).toBe(429);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(((await refused.json()) as { code: string }).code).toBe('OPERATOR_AUTH_RATE_LIMITED');
    const wait = Number(refused.headers.get('retry-after'));
    expect(wait).toBeGreaterThan(0);
    expect(wait).toBeLessThanOrEqual(600);
    // The ops page shares the count: the same guesser cannot move over to it.
    expect((await get('/ops/data', '203.0.113.7', basic(token))).status).toBe(429);
    // Another address is not punished for it.
    expect((await get('/admin/v1/merchants', '203.0.113.8', `Bearer ${token}`)).status).toBe(200);
  });

  it('count wrong passwords on the ops page, but not a browser asking for the login box', async () => {
    for (let i = 0; i < 5; i++) {
      expect((await get('/ops', '203.0.113.9')).status).toBe(401);
    }
    expect((await get('/ops', '203.0.113.9', basic(token))).status).toBe(200);
    for (let i = 0; i < 3; i++) {
      expect((await get('/ops', '203.0.113.10', basic('y'.repeat(40)))).status).toBe(401);
    }
    expect((await get('/ops', '203.0.113.10', basic(token))).status).toBe(429);
  });

  it('compare at most the limit of a burst of parallel guesses: the rest are refused uncompared', async () => {
    const burst = await statuses(Array.from({ length: 12 }, () => get('/admin/v1/merchants', '203.0.113.11', wrong)));
    expect(count(burst, 401)).toBe(3);
    expect(count(burst, 429)).toBe(9);
    // A right token sent in a second burst is refused like the guesses around it.
    const second = await statuses([
      get('/admin/v1/merchants', '203.0.113.11', `Bearer ${token}`),
      ...Array.from({ length: 5 }, () => get('/admin/v1/merchants', '203.0.113.11', wrong)),
    ]);
    expect(second.every((s) => s === 429)).toBe(true);
  });

  it('give back the attempts that were right: an operator at work is not counted, only wrong tokens are', async () => {
    expect((await get('/admin/v1/merchants', '203.0.113.12', wrong)).status).toBe(401);
    expect((await get('/admin/v1/merchants', '203.0.113.12', wrong)).status).toBe(401);
    const work = await statuses(Array.from({ length: 8 }, () => get('/admin/v1/merchants', '203.0.113.12', `Bearer ${token}`)));
    expect(count(work, 200) + count(work, 429)).toBe(8);
    expect(count(work, 200)).toBeGreaterThanOrEqual(1); // parallel rights count while they are compared
    for (let i = 0; i < 3; i++) {
      expect((await get('/admin/v1/merchants', '203.0.113.12', `Bearer ${token}`)).status).toBe(200);
    }
    expect((await get('/admin/v1/merchants', '203.0.113.12', wrong)).status).toBe(401); // the third failure
    expect((await get('/admin/v1/merchants', '203.0.113.12', `Bearer ${token}`)).status).toBe(429);
  });

  it('count an IPv6 client by its /64: moving to another address of it does not give new guesses', async () => {
    for (const ip of ['2001:db8:7:1::1', '2001:db8:7:1::2', '2001:db8:7:1:abcd::3']) {
      expect((await get('/admin/v1/merchants', ip, wrong)).status).toBe(401);
    }
    expect((await get('/admin/v1/merchants', '2001:db8:7:1:ffff::9', `Bearer ${token}`)).status).toBe(429);
    // The next /64 is another client.
    expect((await get('/admin/v1/merchants', '2001:db8:7:2::1', `Bearer ${token}`)).status).toBe(200);
  });
});
