import { randomBytes } from 'node:crypto';
import { seedDemo } from '@outband/data-server';
import { issuedOutcome } from '../support/audit';
import { api, eventually, waitForInbox } from '../support/http';
import type { Policy } from '../support/payments';
import { startSuite, type Suite } from '../support/suite';

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
// Windows, blocks and policies are a merchant's own: each test sends as a fresh merchant, so
// nothing of the previous test's windows carries over and no test waits for them to pass.
let shop = { id: '', secret: '' };
let shops = 0;
beforeEach(async () => {
  shops += 1;
  shop = { id: `fraud-shop-${shops}`, secret: randomBytes(32).toString('base64') };
  await seedDemo(suite.databaseUrl, {
    merchant: { id: shop.id, name: `Fraud shop ${shops}`, keys: [{ kid: 'k1', alg: 'HS256', key: shop.secret }] },
    subscribers: [],
  });
});
/** Sets the current test's merchant's policy. */
const setShopPolicy = (policy: Policy) =>
  seedDemo(suite.databaseUrl, { merchant: { id: shop.id, name: `Fraud shop ${shops}`, keys: [] }, subscribers: [], policy });

const start = (identifier: string) =>
  api(suite, 'POST', '/v1/verifications', { body: { identifier }, token: suite.token({ issuer: shop.id, secret: shop.secret }) });
const accepted = async () =>
  ((await (await fetch(`http://127.0.0.1:${suite.sim.httpPort}/stats`)).json()) as { accepted: number }).accepted;
// A refused subscriber's start is answered as a decoy's (a refusal would name a subscriber): 201, nothing sent.
const issued = (a: { body: Record<string, unknown> }) => issuedOutcome(suite, a.body.id);
const sentTo = async (identifier: string, address: string) => {
  const had = suite.sim.inbox.list(address).length;
  expect(await issued(await start(identifier))).toBe('login');
  await waitForInbox(suite, address, had + 1);
};
const metrics = async () => (await fetch(`http://127.0.0.1:${suite.data.opsPort}/metrics`)).text();

describe('SMS pumping and toll fraud', () => {
  it('refuses invalid and premium-rate numbers before any SMS is sent', async () => {
    const before = await accepted();
    const premium = await start('premium');
    expect(premium.status).toBe(201);
    expect(await issued(premium)).toBe('login:withheld');
    const broken = await start('broken');
    expect(broken.status).toBe(201);
    expect(await issued(broken)).toBe('login:withheld');
    // Once a later code has arrived, theirs would have too.
    await sentTo('anna', '+33655512345');
    expect(await accepted()).toBe(before + 1);
    expect(await metrics()).toMatch(/outband_send_refusals_total\{[^}]*reason="address_premium_rate"[^}]*\} 1/);
  });

  it('sends only to the countries the merchant allows', async () => {
    await setShopPolicy({ allowedCountries: ['DE'] });
    const before = await accepted();
    const fr = await start('alice');
    expect(fr.status).toBe(201);
    expect(await issued(fr)).toBe('login:withheld');
    await sentTo('bob', '+4915112345678');
    expect(await accepted()).toBe(before + 1);
    expect(await metrics()).toMatch(/outband_send_refusals_total\{[^}]*reason="country_not_allowed"[^}]*\} 1/);
  });

  it('blocks a range of numbers after a burst, reports it, leaves other ranges alone, and lifts the block later', async () => {
    const answers = [];
    for (const who of ['alice', 'alice-2', 'alice', 'alice-2']) {
      answers.push(await start(who));
    }
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201]);
    expect(await issued(answers[3] ?? { body: {} })).toBe('login:withheld');
    expect(await issued(await start('alice'))).toBe('login:withheld');
    expect(await issued(await start('anna'))).toBe('login'); // +33 6555…: another range
    expect(await metrics()).toMatch(/outband_send_refusals_total\{[^}]*reason="range_blocked"[^}]*\} [2-9]/);
    expect(suite.logs.some((l) => l.includes('range blocked') && l.includes('+3361234xxxx'))).toBe(true);
    await eventually(async () => ((await issued(await start('alice'))) === 'login' ? true : undefined), 10_000);
  });

  it('bounds the codes to one country per window, then recovers', async () => {
    const answers = [];
    for (const who of ['bob', 'dora', 'bob', 'dora', 'bob', 'dora', 'bob']) {
      answers.push(await start(who));
    }
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 201, 201, 201, 201]);
    expect(await issued(answers[6] ?? { body: {} })).toBe('login:withheld');
    expect(await metrics()).toMatch(/outband_send_refusals_total\{[^}]*reason="country_rate_limited"[^}]*\} 1/);
    expect(await issued(await start('anna'))).toBe('login'); // France has its own budget
    await eventually(async () => ((await issued(await start('bob'))) === 'login' ? true : undefined), 10_000);
  });

  it("applies a merchant's own verification rate instead of the default", async () => {
    await setShopPolicy({ limitPerSecond: 1 });
    const first = await start('anna');
    const second = await start('bob');
    expect(first.status).toBe(201);
    expect(second.status).toBe(429);
    expect(second.body.code).toBe('MERCHANT_RATE_LIMITED');
  });
});
