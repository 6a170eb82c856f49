import { api, readCode } from '../support/http';
import { startSuite, subscribers, type Suite } from '../support/suite';
import { logged } from '../support/signals';

// One id finds a verification's lines in every service: from the HTTP request through the bus
// to the submit_sm and back with its delivery status.
let suite: Suite;
beforeAll(async () => {
  suite = await startSuite();
});
afterAll(async () => {
  await suite?.stop();
});

describe('correlated logs', () => {
  it('carry the request’s correlation id into every service that handles it', async () => {
    const id = `corr-${Date.now()}-abcdef`;
    const started = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' }, headers: { 'x-correlation-id': id } });
    expect(started.headers.get('x-correlation-id')).toBe(id);
    await readCode(suite, subscribers.alice.address);
    // The message server logs the submit once the SMSC took it; the lines before it are all written by then.
    await logged(suite, id, 'message submitted');
    const lines = suite.logs.filter((l) => l.includes(id)).map((l) => JSON.parse(l) as { service: string; msg: string });
    const services = new Set(lines.map((l) => l.service));
    expect([...services].sort()).toEqual(['data-server', 'information-server', 'message-server']);
    expect(lines.some((l) => l.service === 'message-server' && l.msg === 'message submitted')).toBe(true);
    // JSON lines, and never the code in them.
    const code = /(\d{6})/.exec(suite.sim.inbox.list(subscribers.alice.address)[0]?.text ?? '')?.[1] ?? 'none';
    expect(suite.logs.some((l) => l.includes(code))).toBe(false);
  });

  it('makes one for a request that brings none', async () => {
    const res = await api(suite, 'GET', '/v1/webhooks');
    expect(res.headers.get('x-correlation-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
