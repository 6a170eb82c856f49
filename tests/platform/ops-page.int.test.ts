import { randomBytes } from 'node:crypto';
import { Script } from 'node:vm';
import { api, readCode } from '../support/http';
import { startSuite, subscribers, type Suite } from '../support/suite';

// The ops page, for an operator without Grafana: behind the operator's credentials, it shows
// the queues, rates and binds of all three services.
const token = randomBytes(32).toString('base64url');
let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({
    env: { ADMIN_TOKENS: `ops-ann:${token}` },
    infoEnv: (ports) => ({
      OPS_METRICS_URLS: `http://127.0.0.1:${ports.dataOps}/metrics,http://127.0.0.1:${ports.messageOps}/metrics`,
    }),
  });
});
afterAll(async () => {
  await suite?.stop();
});

const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const get = (path: string, authorization?: string) => fetch(`${suite.baseUrl}${path}`, authorization ? { headers: { authorization } } : {});

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

describe('/ops', () => {
  it('asks a browser for the operator credentials, and refuses wrong ones', async () => {
    const anonymous = await get('/ops');
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get('www-authenticate')).toContain('Basic');
    expect((await get('/ops', basic('ops-ann', 'x'.repeat(40)))).status).toBe(401);
    expect((await get('/ops', basic('someone-else', token))).status).toBe(401);
    expect((await get('/ops/data', `Bearer ${suite.token()}`)).status).toBe(401); // a merchant is no operator
  });

  it('serves the page and a script that parses, under the CSP', async () => {
    const page = await get('/ops', basic('ops-ann', token));
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('<script src="/ops/app.js"></script>');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    const script = await (await get('/ops/app.js', basic('ops-ann', token))).text();
    expect(() => new Script(script)).not.toThrow();
  });

  it('gives live queue depths, consumers, binds and counters of all three services', async () => {
    await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } });
    await readCode(suite, subscribers.alice.address);
    const res = await get('/ops/data', `Bearer ${token}`);
    const data = (await res.json()) as { sources: number; series: Sample[] };
    expect(data.sources).toBe(3);
    const queues = new Set(data.series.filter((s) => s.name === 'outband_queue_messages_ready').map((s) => s.labels.queue));
    expect(queues).toEqual(
      new Set([
        'data.rpc',
        'data.rpc.retry',
        'data.rpc.dead',
        'data.message-status',
        'data.message-status.retry',
        'data.message-status.dead',
        'data.inbound',
        'data.inbound.retry',
        'data.inbound.dead',
        'message.send',
        'message.send.retry',
        'message.send.dead',
      ]),
    );
    expect(data.series.find((s) => s.name === 'outband_smpp_binds_up')?.value).toBeGreaterThan(0);
    expect(data.series.filter((s) => s.name === 'outband_verifications_started_total').reduce((a, s) => a + s.value, 0)).toBeGreaterThan(0);
    // Only what the page draws: no process internals, no HTTP histograms.
    expect(data.series.every((s) => /^outband_(queue|smpp|verifications|submits|receipts|delivery|send)_/.test(s.name))).toBe(true);
  });
});
