import { randomBytes } from 'node:crypto';
import { startSuite, type Suite } from './support/suite';

// Operator tokens open the admin API and the ops page: a client IP that keeps failing is refused
// before its credentials are compared, right or wrong, until it stops for the window.
const token = randomBytes(32).toString('base64url');
let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({
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

const basic = (password: string) => `Basic ${Buffer.from(`ops-ann:${password}`).toString('base64')}`;
const get = (path: string, ip: string, authorization?: string) =>
  fetch(`${suite.baseUrl}${path}`, { headers: { 'x-forwarded-for': ip, ...(authorization ? { authorization } : {}) } });

describe('failed operator logins', () => {
  it('refuse an address after too many failures, even with the right token, with 429 and Retry-After', async () => {
    for (let i = 0; i < 3; i++) {
      expect((await get('/admin/v1/merchants', '203.0.113.7', `Bearer ${'x'.repeat(40)}`)).status).toBe(401);
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
});
