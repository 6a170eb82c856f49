import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { api, eventually, readCode } from '../support/http';
import { startSuite, subscribers, type Suite } from '../support/suite';

// What ops scrape: valid Prometheus text from every service, and a full flow that moves the
// counters and histograms the dashboard and the alerts are built on.
let suite: Suite;
beforeAll(async () => {
  suite = await startSuite();
});
afterAll(async () => {
  await suite?.stop();
});

const endpoints = () => ({
  information: `http://127.0.0.1:${suite.info.opsPort}/metrics`,
  data: `http://127.0.0.1:${suite.data.opsPort}/metrics`,
  message: `http://127.0.0.1:${suite.message.opsPort}/metrics`,
});

/** Every series of one scrape, by name with its labels as Prometheus writes them. */
async function scrape(url: string): Promise<Map<string, number>> {
  const text = await (await fetch(url)).text();
  const series = new Map<string, number>();
  for (const line of text.split('\n')) {
    const m = /^([a-z_]+(?:\{[^}]*\})?) (\S+)$/.exec(line);
    if (m?.[1] && m[2]) {
      series.set(m[1].replace(/,?service="[^"]*"/, '').replace('{}', ''), Number(m[2]));
    }
  }
  return series;
}

/** The sum of the series of `name` whose labels hold every `labels` pair. */
function value(series: Map<string, number>, name: string, labels: Record<string, string> = {}): number {
  let sum = 0;
  for (const [key, v] of series) {
    const [metric] = key.split('{');
    if (metric === name && Object.entries(labels).every(([k, l]) => key.includes(`${k}="${l}"`))) {
      sum += v;
    }
  }
  return sum;
}

describe('metrics', () => {
  it('parse as Prometheus text (promtool check metrics) on every service', async () => {
    for (const [service, url] of Object.entries(endpoints())) {
      const text = await (await fetch(url)).text();
      expect([service, text.includes('# TYPE outband_')]).toEqual([service, true]);
      // promtool exits 1 on text it cannot parse, 3 on lint remarks: ours must have none (the
      // Node.js runtime's own gauges named *_total, from prom-client, are not ours to rename).
      const lint = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
      const remarks = `${lint.stdout}${lint.stderr}`.split('\n').filter((l) => l && !/^outband_nodejs_active_\w+_total /.test(l));
      expect([service, lint.status === 0 || lint.status === 3, remarks]).toEqual([service, true, []]);
    }
  });

  it('move with a full flow: start, delivery, wrong code, approval', async () => {
    const before = { data: await scrape(endpoints().data), message: await scrape(endpoints().message) };
    const v = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } });
    const code = await readCode(suite, subscribers.alice.address);
    await eventually(
      async () =>
        ((await api(suite, 'GET', `/v1/verifications/${String(v.body.id)}`)).body.delivery as { state: string }).state === 'delivered' ||
        undefined,
    );
    await api(suite, 'POST', `/v1/verifications/${String(v.body.id)}/check`, { body: { code: code === '000000' ? '000001' : '000000' } });
    await api(suite, 'POST', `/v1/verifications/${String(v.body.id)}/check`, { body: { code } });
    const after = { data: await scrape(endpoints().data), message: await scrape(endpoints().message) };
    const moved = (service: 'data' | 'message', name: string, labels: Record<string, string> = {}) =>
      value(after[service], name, labels) - value(before[service], name, labels);

    expect(moved('data', 'outband_verifications_started_total', { purpose: 'login', channel: 'sms' })).toBe(1);
    expect(moved('data', 'outband_verification_checks_total', { outcome: 'mismatch' })).toBe(1);
    expect(moved('data', 'outband_verification_checks_total', { outcome: 'approved' })).toBe(1);
    expect(moved('data', 'outband_verifications_finished_total', { purpose: 'login', status: 'approved' })).toBe(1);
    expect(moved('data', 'outband_verification_check_duration_seconds_count')).toBe(2);
    expect(moved('data', 'outband_code_submit_seconds_count')).toBe(1);
    expect(moved('data', 'outband_code_delivery_seconds_count')).toBe(1);
    expect(moved('data', 'outband_delivery_outcomes_total', { state: 'delivered' })).toBe(1);
    expect(moved('message', 'outband_submits_total', { status: 'ok' })).toBe(1);
    expect(moved('message', 'outband_receipts_total', { state: 'delivered' })).toBe(1);
    expect(moved('message', 'outband_messages_total', { result: 'submitted' })).toBe(1);
    expect(value(after.message, 'outband_smpp_binds_up')).toBeGreaterThan(0);
    const info = await scrape(endpoints().information);
    // The route pattern with its mount, never the path with its ids.
    expect(value(info, 'outband_http_request_duration_seconds_count', { route: '/v1/verifications', status: '201' })).toBeGreaterThan(0);
    expect(value(info, 'outband_http_request_duration_seconds_count', { route: '/v1/verifications/:id/check' })).toBe(2);
    expect(value(after.data, 'outband_queue_consumers', { queue: 'data.rpc' })).toBeGreaterThan(0);
    expect(value(after.message, 'outband_queue_messages_ready', { queue: 'message.send.dead' })).toBe(0);
  });

  it('hold every metric the Grafana dashboard and the alert rules query', async () => {
    const exported = new Set<string>();
    for (const url of Object.values(endpoints())) {
      for (const m of (await (await fetch(url)).text()).matchAll(/^# TYPE (\w+) (\w+)$/gm)) {
        const [, name = '', type] = m;
        exported.add(name);
        if (type === 'histogram') {
          ['_bucket', '_count', '_sum'].forEach((suffix) => exported.add(`${name}${suffix}`));
        }
      }
    }
    const dashboard = readFileSync(join(__dirname, '../../infra/grafana/dashboards/outband.json'), 'utf8');
    const rules = readFileSync(join(__dirname, '../../infra/prometheus/rules/outband.rules.yml'), 'utf8');
    const queried = new Set([...`${dashboard}\n${rules}`.matchAll(/\boutband_\w+/g)].map((m) => m[0]));
    expect(queried.size).toBeGreaterThan(15);
    expect([...queried].filter((name) => !exported.has(name))).toEqual([]);
  });

  it('are not served on the API port, which merchants reach', async () => {
    expect((await fetch(`${suite.baseUrl}/metrics`)).status).toBe(404);
  });

  it('never label a series with an address, an id or a code', async () => {
    for (const url of Object.values(endpoints())) {
      const text = await (await fetch(url)).text();
      expect(text).not.toMatch(/\+\d{8,}|ve_[0-9a-f]{32}|shop-/);
    }
  });
});
