import { createLogger } from '@outband/observability';
import { pickOutcome } from './behaviour';
import { startSmscSimulator, type SmscSimulator } from './smsc-simulator';

let sim: SmscSimulator;
let base: string;
beforeAll(async () => {
  sim = await startSmscSimulator({
    smppPort: 0,
    httpPort: 0,
    accounts: [{ systemId: 'a', password: 'b' }],
    logger: createLogger({ service: 't', level: 'silent' }),
  });
  base = `http://127.0.0.1:${sim.httpPort}`;
});
afterAll(() => sim.stop());

describe('SMSC simulator HTTP API', () => {
  it('changes behaviour with PUT /behaviour and reports counters on GET /stats', async () => {
    const put = await fetch(`${base}/behaviour`, { method: 'PUT', body: JSON.stringify({ maxSubmitsPerSecond: 3, window: 2 }) });
    expect(put.status).toBe(204);
    const stats = (await (await fetch(`${base}/stats`)).json()) as Record<string, number>;
    expect(stats).toMatchObject({ submits: 0, binds: 0 });
  });

  it('refuses MO injection with a clear error when no bind can receive it, and bad bodies', async () => {
    const noBind = await fetch(`${base}/mo`, { method: 'POST', body: JSON.stringify({ from: '+33612345678', to: '38100', text: 'OK' }) });
    expect(noBind.status).toBe(400);
    expect(((await noBind.json()) as { detail: string }).detail).toContain('no bind can receive');
    const bad = await fetch(`${base}/mo`, { method: 'POST', body: '{"from": 1}' });
    expect(bad.status).toBe(400);
    const notJson = await fetch(`${base}/behaviour`, { method: 'PUT', body: 'nope' });
    expect(notJson.status).toBe(400);
  });

  it('answers an empty inbox and unknown routes', async () => {
    expect(await (await fetch(`${base}/inbox/33600000000`)).json()).toEqual({ address: '+33600000000', messages: [] });
    expect((await fetch(`${base}/nope`)).status).toBe(404);
  });
});

describe('receipt outcome distribution', () => {
  it('picks outcomes by weight', () => {
    const outcomes = { DELIVRD: 3, UNDELIV: 1 };
    expect(pickOutcome(outcomes, 0)).toBe('DELIVRD');
    expect(pickOutcome(outcomes, 0.74)).toBe('DELIVRD');
    expect(pickOutcome(outcomes, 0.76)).toBe('UNDELIV');
    expect(pickOutcome({ EXPIRED: 0, REJECTD: 1 }, 0.1)).toBe('REJECTD');
  });
});
