import { createLogger } from '@outband/observability';
import { injectedError, pickOutcome } from './behaviour';
import { startSmscSimulator } from './smsc-simulator';
import type { SmscSimulator } from './simulator-types';

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

  it('takes error rules as plain prefixes or addresses, and refuses patterns and unbounded input', async () => {
    const put = (body: unknown) => fetch(`${base}/behaviour`, { method: 'PUT', body: JSON.stringify(body) });
    expect(
      (
        await put({
          errorRules: [
            { prefix: '3361', status: 11 },
            { address: '+33700000001', status: 12 },
          ],
        })
      ).status,
    ).toBe(204);
    // A catastrophically backtracking pattern: before, every submit ran it against the destination.
    const redos = await put({ errorRules: [{ pattern: '^(\\+?\\d+)+$', status: 11 }] });
    expect(redos.status).toBe(400);
    expect(((await redos.json()) as { detail: string }).detail).toContain('errorRules');
    expect((await put({ errorRules: [{ prefix: '(a+)+', status: 11 }] })).status).toBe(400);
    expect((await put({ errorRules: Array.from({ length: 101 }, () => ({ prefix: '+1', status: 1 })) })).status).toBe(400);
    expect((await put({ window: -1 })).status).toBe(400);
    expect((await put({ somethingElse: true })).status).toBe(400);
    expect((await put({ receiptOutcomes: { DELIVRD: 3, UNDELIV: 1 } })).status).toBe(204);
    expect((await put({ errorRules: [] })).status).toBe(204);
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

describe('error rules', () => {
  it('match a destination by prefix or exactly, first rule first', () => {
    const rules = [
      { address: '+33612345678', status: 12 },
      { prefix: '+3361', status: 11 },
    ];
    expect(injectedError(rules, '+33612345678')).toBe(12);
    expect(injectedError(rules, '+33619999999')).toBe(11);
    expect(injectedError(rules, '+4915112345678')).toBeUndefined();
    expect(injectedError([{ address: '+3361', status: 1 }], '+33612345678')).toBeUndefined();
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
