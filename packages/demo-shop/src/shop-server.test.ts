import { createLogger } from '@outband/observability';
import { startDemoShop, type DemoShop } from './shop-server';

// No call here reaches Outband: GET /api/me answers from the shop's own session.
let shop: DemoShop;
beforeAll(async () => {
  shop = await startDemoShop({
    port: 0,
    outband: {
      baseUrl: 'http://127.0.0.1:9',
      merchantId: 'demo-shop',
      key: { kid: 'k1', alg: 'HS256', secret: Buffer.alloc(32).toString('base64') },
    },
    logger: createLogger({ service: 'test', level: 'silent' }),
    sessions: { maxSessions: 2 },
  });
});
afterAll(() => shop.stop());

const me = (cookie?: string) => fetch(`${shop.url}/api/me`, cookie ? { headers: { cookie } } : {});
const cookieOf = (res: Response) => res.headers.get('set-cookie')?.split(';')[0];

describe('demo shop sessions', () => {
  it('keeps a bounded number: the least recently used session is dropped for a new one', async () => {
    const first = cookieOf(await me());
    expect(first).toMatch(/^shop=[a-f0-9]{32}$/);
    expect(cookieOf(await me(first))).toBeUndefined(); // known: no new cookie
    await me();
    await me();
    const again = cookieOf(await me(first)); // forgotten: a new session, a new cookie
    expect(again).toMatch(/^shop=[a-f0-9]{32}$/);
    expect(again).not.toBe(first);
  });
});
