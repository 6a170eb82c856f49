import { api, eventually } from './support/http';
import { setPolicy } from './support/payments';
import { startSuite, type Suite } from './support/suite';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({
    env: { RANGE_LIMIT: '3', RANGE_WINDOW_SECONDS: '2', RANGE_BLOCK_SECONDS: '3', COUNTRY_LIMIT: '6', COUNTRY_WINDOW_SECONDS: '2' },
    seed: [
      {
        merchant: { id: 'fraud-seed', name: 'x', keys: [] },
        subscribers: [
          { identifier: 'premium', address: '+33899123456' },
          { identifier: 'broken', address: '+33700000009' },
          { identifier: 'alice-2', address: '+33612345600' },
          { identifier: 'anna', address: '+33655512345' },
          { identifier: 'dora', address: '+4917612345678' },
        ],
      },
    ],
  });
});
afterAll(async () => {
  await suite?.stop();
});
beforeEach(async () => {
  await setPolicy(suite, { allowedCountries: null, limitPerSecond: null });
  await new Promise((r) => setTimeout(r, 2_100)); // every window of the previous test is over
});

const start = (identifier: string) => api(suite, 'POST', '/v1/verifications', { body: { identifier } });
const accepted = async () =>
  ((await (await fetch(`http://127.0.0.1:${suite.sim.httpPort}/stats`)).json()) as { accepted: number }).accepted;
const metrics = async () => (await fetch(`http://127.0.0.1:${suite.data.opsPort}/metrics`)).text();

describe('SMS pumping and toll fraud', () => {
  it('refuses invalid and premium-rate numbers before any SMS is sent', async () => {
    const before = await accepted();
    const premium = await start('premium');
    expect(premium.status).toBe(403);
    expect(premium.body.code).toBe('ADDRESS_PREMIUM_RATE');
    const broken = await start('broken');
    expect(broken.status).toBe(400);
    expect(broken.body.code).toBe('ADDRESS_INVALID');
    await new Promise((r) => setTimeout(r, 300));
    expect(await accepted()).toBe(before);
    expect(await metrics()).toMatch(/outband_send_refusals_total\{[^}]*reason="address_premium_rate"[^}]*\} 1/);
  });

  it('sends only to the countries the merchant allows', async () => {
    await setPolicy(suite, { allowedCountries: ['DE'] });
    const before = await accepted();
    const fr = await start('alice');
    expect(fr.status).toBe(403);
    expect(fr.body.code).toBe('COUNTRY_NOT_ALLOWED');
    await new Promise((r) => setTimeout(r, 300));
    expect(await accepted()).toBe(before);
    expect((await start('bob')).status).toBe(201);
  });

  it('blocks a range of numbers after a burst, reports it, leaves other ranges alone, and lifts the block later', async () => {
    const answers = [];
    for (const who of ['alice', 'alice-2', 'alice', 'alice-2']) {
      answers.push(await start(who));
    }
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 429]);
    expect(answers[3]?.body.code).toBe('RANGE_BLOCKED');
    expect(Number(answers[3]?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await start('alice')).body.code).toBe('RANGE_BLOCKED');
    expect((await start('anna')).status).toBe(201); // +33 6555…: another range
    expect(await metrics()).toMatch(/outband_send_refusals_total\{[^}]*reason="range_blocked"[^}]*\} [2-9]/);
    expect(suite.logs.some((l) => l.includes('range blocked') && l.includes('+3361234xxxx'))).toBe(true);
    await eventually(async () => ((await start('alice')).status === 201 ? true : undefined), 10_000);
  });

  it('bounds the codes to one country per window, then recovers', async () => {
    const answers = [];
    for (const who of ['bob', 'dora', 'bob', 'dora', 'bob', 'dora', 'bob']) {
      answers.push(await start(who));
    }
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201, 201, 429]);
    expect(answers[6]?.body.code).toBe('COUNTRY_RATE_LIMITED');
    expect((await start('anna')).status).toBe(201); // France has its own budget
    await eventually(async () => ((await start('bob')).status === 201 ? true : undefined), 10_000);
  });

  it("applies a merchant's own verification rate instead of the default", async () => {
    await setPolicy(suite, { limitPerSecond: 1 });
    const first = await start('anna');
    const second = await start('bob');
    expect(first.status).toBe(201);
    expect(second.status).toBe(429);
    expect(second.body.code).toBe('MERCHANT_RATE_LIMITED');
  });
});
