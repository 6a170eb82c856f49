import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { createServer as createTcpServer, type AddressInfo, type Server as TcpServer, type Socket } from 'node:net';
import { api, eventually } from '../support/http';
import { startSuite, type Suite } from '../support/suite';

/** A second merchant, whose endpoints are tar pits. */
const tarPitShop = { id: 'tarpit-shop', kid: 't1', secret: randomBytes(32).toString('base64') };
/** Production: https only, no private host. */
const strict = { WEBHOOK_ALLOW_HTTP: 'false', WEBHOOK_ALLOWED_HOSTS: '' };
/** What the rest of the tests run with: http to 127.0.0.1 (only the address, not names for it). */
const lenient = { WEBHOOK_ALLOW_HTTP: 'true', WEBHOOK_ALLOWED_HOSTS: '127.0.0.1' };

interface Delivery {
  id: number;
  status: string;
  attempts: number;
  lastStatusCode?: number;
  lastError?: string;
}

/** A loopback HTTP receiver that records the paths it was called on and answers `answer()`. */
async function receiver(answer: () => [number, Record<string, string>?] = () => [200]) {
  const calls: string[] = [];
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      calls.push(req.url ?? '');
      const [status, headers] = answer();
      res.writeHead(status, headers).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { calls, port: (server.address() as AddressInfo).port, close: () => new Promise((r) => server.close(r)) };
}

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({
    env: {
      ...lenient,
      WEBHOOK_POLL_MS: '50',
      WEBHOOK_RETRY_BASE_MS: '60000',
      // Longer than any test: a tar pit holds its requests until the test lets go.
      WEBHOOK_TIMEOUT_MS: '60000',
      WEBHOOK_MAX_ENDPOINTS_PER_MERCHANT: '4',
      WEBHOOK_CONCURRENCY_PER_MERCHANT: '2',
    },
    seed: [
      {
        merchant: { id: tarPitShop.id, name: 'Tar-pit shop', keys: [{ kid: tarPitShop.kid, alg: 'HS256', key: tarPitShop.secret }] },
        subscribers: [],
      },
    ],
  });
});
afterAll(async () => {
  await suite?.stop();
});

const tarPitToken = () => suite.token({ secret: tarPitShop.secret, issuer: tarPitShop.id, keyid: tarPitShop.kid });
const register = (url: string, token = suite.token()) =>
  api(suite, 'POST', '/v1/webhooks', { body: { url, events: ['verification.canceled'] }, token });
const registered = async (url: string, token = suite.token()) => {
  const created = await register(url, token);
  expect(created.status).toBe(201);
  return created.body.id as string;
};
/** Emits `verification.canceled` for the token's merchant. */
const cancelOne = async (token = suite.token()) => {
  const v = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'bob' }, token });
  expect(v.status).toBe(201);
  expect((await api(suite, 'POST', `/v1/verifications/${v.body.id as string}/cancel`, { token })).status).toBe(200);
};
/** The endpoint's first delivery once a try has ended (a try is counted from its start). */
const attempted = (endpointId: string, token = suite.token()) =>
  eventually(async () => {
    const list = (await api(suite, 'GET', `/v1/webhooks/${endpointId}/deliveries`, { token })).body.deliveries as Delivery[];
    return list.find((d) => d.status !== 'pending' || d.lastStatusCode !== undefined || d.lastError !== undefined);
  });
const removeAll = async (token = suite.token()) => {
  const list = (await api(suite, 'GET', '/v1/webhooks', { token })).body.endpoints as Array<{ id: string }>;
  for (const e of list) {
    await api(suite, 'DELETE', `/v1/webhooks/${e.id}`, { token });
  }
};

describe('webhook destinations (SSRF)', () => {
  it('refuses at registration every private, loopback, link-local or special address, however written, and plain http', async () => {
    await suite.restartDataServer(strict);
    try {
      const refused = [
        'http://hooks.example.com/outband',
        'https://127.0.0.1/',
        'https://localhost:8443/',
        'https://[::1]/',
        'https://169.254.169.254/latest/meta-data/',
        'https://2130706433/',
        'https://0x7f000001/',
        'https://0177.0.0.1/',
        'https://0.0.0.0/',
        'https://[::ffff:127.0.0.1]/',
        'https://10.0.0.1/',
        'https://172.16.0.1/',
        'https://192.168.1.1/',
        'https://100.64.0.1/',
        'https://[fc00::1]/',
        'https://[fe80::1]/',
        'https://224.0.0.1/',
        'https://[ff02::1]/',
      ];
      for (const url of refused) {
        const answer = await register(url);
        expect({ url, status: answer.status, code: answer.body.code }).toEqual({ url, status: 400, code: 'WEBHOOK_URL_FORBIDDEN' });
        expect(answer.contentType).toContain('application/problem+json');
      }
      const accepted = await registered('https://hooks.example.com/outband');
      expect(((await api(suite, 'GET', '/v1/webhooks')).body.endpoints as Array<{ id: string }>).map((e) => e.id)).toEqual([accepted]);
      await removeAll();
    } finally {
      await suite.restartDataServer();
    }
  });

  it('refuses at delivery a name that now resolves to a forbidden address, with one message whatever the port', async () => {
    const r = await receiver();
    const gone = createTcpServer();
    await new Promise<void>((res) => gone.listen(0, '127.0.0.1', res));
    const closedPort = (gone.address() as AddressInfo).port;
    await new Promise((res) => gone.close(res));
    try {
      // Registered while `localhost` was allowed; the allow-list then keeps only the address.
      await suite.restartDataServer({ ...lenient, WEBHOOK_ALLOWED_HOSTS: '127.0.0.1,localhost' });
      const open = await registered(`http://localhost:${r.port}/hooks`);
      const closed = await registered(`http://localhost:${closedPort}/hooks`);
      await suite.restartDataServer();
      await cancelOne();
      const [toOpen, toClosed] = await Promise.all([attempted(open), attempted(closed)]);
      expect(toOpen).toMatchObject({ status: 'pending', attempts: 1, lastError: 'destination not allowed' });
      expect(toClosed).toMatchObject({ status: 'pending', attempts: 1, lastError: 'destination not allowed' });
      expect(toOpen.lastStatusCode).toBeUndefined();
      expect(r.calls).toEqual([]);
    } finally {
      await removeAll();
      await r.close();
    }
  });

  it('follows no redirect', async () => {
    const target = await receiver();
    const redirecting = await receiver(() => [307, { location: `http://127.0.0.1:${target.port}/internal` }]);
    try {
      const endpoint = await registered(`http://127.0.0.1:${redirecting.port}/hooks`);
      await cancelOne();
      expect(await attempted(endpoint)).toMatchObject({ status: 'pending', lastStatusCode: 307 });
      expect(redirecting.calls).toEqual(['/hooks']);
      expect(target.calls).toEqual([]);
    } finally {
      await removeAll();
      await Promise.all([target.close(), redirecting.close()]);
    }
  });

  it('caps the endpoints of each merchant', async () => {
    for (let i = 0; i < 4; i++) {
      await registered(`http://127.0.0.1:9/hooks/${i}`);
    }
    const fifth = await register('http://127.0.0.1:9/hooks/4');
    expect(fifth.status).toBe(409);
    expect(fifth.body.code).toBe('WEBHOOK_ENDPOINT_LIMIT_REACHED');
    expect(fifth.contentType).toContain('application/problem+json');
    // Another merchant has its own cap; a removed endpoint frees a place.
    await registered('http://127.0.0.1:9/hooks/other', tarPitToken());
    const first = ((await api(suite, 'GET', '/v1/webhooks')).body.endpoints as Array<{ id: string }>)[0]?.id ?? '';
    await api(suite, 'DELETE', `/v1/webhooks/${first}`);
    await registered('http://127.0.0.1:9/hooks/5');
    await removeAll();
    await removeAll(tarPitToken());
  });

  it("sends one merchant's webhook while another merchant's tar pits hold their requests open", async () => {
    const held: Socket[] = [];
    let closedEarly = 0;
    let letGo = false;
    const tarPit: TcpServer = createTcpServer((socket) => {
      if (letGo) {
        socket.destroy();
        return;
      }
      held.push(socket);
      socket.on('close', () => (closedEarly += letGo ? 0 : 1));
    });
    await new Promise<void>((r) => tarPit.listen(0, '127.0.0.1', r));
    const fair = await receiver();
    try {
      const pitPort = (tarPit.address() as AddressInfo).port;
      for (let i = 0; i < 4; i++) {
        await registered(`http://127.0.0.1:${pitPort}/pit/${i}`, tarPitToken());
      }
      await registered(`http://127.0.0.1:${fair.port}/hooks`);
      await cancelOne(tarPitToken());
      // The tar-pit merchant has used its slots (2 per merchant) on requests that never end …
      await eventually(async () => Promise.resolve(held.length >= 2 ? true : undefined));
      await cancelOne();
      // … and the other merchant's event still arrives, while those requests are held open.
      await eventually(async () => Promise.resolve(fair.calls.length > 0 ? true : undefined));
      expect(closedEarly).toBe(0);
      expect(held).toHaveLength(2);
    } finally {
      letGo = true;
      held.forEach((s) => s.destroy());
      await removeAll(tarPitToken());
      await removeAll();
      await new Promise((r) => tarPit.close(r));
      await fair.close();
    }
  });
});
