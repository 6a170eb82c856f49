import { randomBytes } from 'node:crypto';
import { api, eventually } from '../support/http';
import { startSuite, type Suite } from '../support/suite';

const other = { id: 'other-shop', kid: 'o1', secret: randomBytes(32).toString('base64') };
let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({
    env: { REQUEST_LIMIT_PER_IP: '5', REQUEST_LIMIT_PER_MERCHANT: '3', REQUEST_LIMIT_WINDOW_SECONDS: '2' },
    seed: [
      { merchant: { id: other.id, name: 'Other shop', keys: [{ kid: other.kid, alg: 'HS256', key: other.secret }] }, subscribers: [] },
    ],
  });
});
afterAll(async () => {
  await suite?.stop();
});

const read = (token: string) => api(suite, 'GET', `/v1/verifications/ve_${'0'.repeat(32)}`, { token });
const otherToken = () => suite.token({ secret: other.secret, issuer: other.id, keyid: other.kid });

describe('API request limits', () => {
  it('limits each merchant, then each client address, and lets both recover after the window', async () => {
    const mine = [];
    for (let i = 0; i < 4; i++) {
      mine.push(await read(suite.token()));
    }
    expect(mine.map((a) => a.status)).toEqual([404, 404, 404, 429]);
    expect(mine[3]?.body.code).toBe('RATE_LIMITED');
    expect(mine[3]?.contentType).toContain('application/problem+json');
    expect(Number(mine[3]?.headers.get('retry-after'))).toBeGreaterThan(0);
    // Another merchant has its own budget, but the same client address has used up its own.
    expect((await read(otherToken())).status).toBe(404);
    const fromIp = await read(otherToken());
    expect(fromIp.status).toBe(429);
    expect(fromIp.body.detail).toContain('(ip)');
    // Unauthenticated requests count against the address too (no free brute force of tokens).
    expect((await api(suite, 'GET', '/v1/verifications/x', { token: null })).status).toBe(429);
    await eventually(async () => ((await read(suite.token())).status === 404 ? true : undefined), 10_000);
  });
});
