import { issuedOutcome } from '../support/audit';
import { api } from '../support/http';
import { secondMerchantSeed, startAsSecondMerchant } from '../support/second-merchant';
import { startSuite, type Suite } from '../support/suite';

// Anyone at a shop's sign-in page can start verifications for any identifier: what they provoke
// must not block a range or a country for other merchants, and refused starts must not count.
let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({
    env: {
      RANGE_LIMIT: '3',
      RANGE_WINDOW_SECONDS: '600',
      RANGE_ALERT_LIMIT: '4',
      SEND_LIMIT_PER_ADDRESS: '2',
      SEND_LIMIT_WINDOW_SECONDS: '600',
    },
    seed: [
      secondMerchantSeed([
        { identifier: 'ann-1', address: '+33655500001' },
        { identifier: 'ann-2', address: '+33655500002' },
        { identifier: 'ann-3', address: '+33655500003' },
        { identifier: 'ann-4', address: '+33655500004' },
      ]),
    ],
  });
});
afterAll(async () => {
  await suite?.stop();
});

const start = (identifier: string) => api(suite, 'POST', '/v1/verifications', { body: { identifier } });
const startAtOther = (identifier: string) => startAsSecondMerchant(suite, identifier);
const metrics = async () => (await fetch(`http://127.0.0.1:${suite.data.opsPort}/metrics`)).text();

describe('send limits an anonymous visitor cannot turn against others', () => {
  it('counts only what is sent towards a range, blocks it for the merchant that burst, and only alerts across merchants', async () => {
    expect([(await start('ann-1')).status, (await start('ann-1')).status]).toEqual([201, 201]);
    // Refused for the address: these send nothing, so they do not count towards the range.
    const refused = [await start('ann-1'), await start('ann-1'), await start('ann-1')];
    expect(refused.map((r) => r.body.code)).toEqual(['TOO_MANY_SENDS', 'TOO_MANY_SENDS', 'TOO_MANY_SENDS']);
    expect((await start('ann-2')).status).toBe(201); // the third code sent to the range
    // Withheld, answered as a decoy is (a refusal would name a subscriber): nothing is sent.
    const burst = await start('ann-3');
    expect(burst.status).toBe(201);
    expect(await issuedOutcome(suite, burst.body.id)).toBe('login:withheld');
    expect(await issuedOutcome(suite, (await start('ann-4')).body.id)).toBe('login:withheld');
    expect(await metrics()).toMatch(/outband_send_refusals_total\{[^}]*reason="range_blocked"[^}]*\} 2/);
    // Another merchant still reaches the range: the block is the bursting merchant's own.
    const elsewhere = await startAtOther('ann-4');
    expect(await issuedOutcome(suite, elsewhere.body.id)).toBe('login');
    expect(await metrics()).not.toMatch(/outband_abuse_alerts_total\{/);
    // The fifth code to one range across merchants passes the alert limit of 4: ops are told, nobody is blocked.
    expect((await startAtOther('ann-3')).status).toBe(201);
    expect(await metrics()).toMatch(/outband_abuse_alerts_total\{[^}]*kind="range_burst"[^}]*\} 1/);
    expect(suite.logs.some((l) => l.includes('across merchants') && l.includes('+3365550xxxx'))).toBe(true);
  });
});

describe('a range blocked for everyone, on the operator decision', () => {
  let global: Suite;
  beforeAll(async () => {
    global = await startSuite({
      env: { RANGE_LIMIT: '1', RANGE_WINDOW_SECONDS: '600', RANGE_BLOCK_SCOPE: 'global' },
      seed: [
        secondMerchantSeed([
          { identifier: 'ann-1', address: '+33655500001' },
          { identifier: 'ann-2', address: '+33655500002' },
        ]),
      ],
    });
  });
  afterAll(async () => {
    await global?.stop();
  });

  it('blocks the range for every merchant', async () => {
    expect((await api(global, 'POST', '/v1/verifications', { body: { identifier: 'ann-1' } })).status).toBe(201);
    const blocked = await api(global, 'POST', '/v1/verifications', { body: { identifier: 'ann-2' } });
    expect(await issuedOutcome(global, blocked.body.id)).toBe('login:withheld');
    const elsewhere = await startAsSecondMerchant(global, 'ann-1');
    expect(await issuedOutcome(global, elsewhere.body.id)).toBe('login:withheld');
  });
});

describe('a burst across merchants, with ranges blocked for everyone', () => {
  let global: Suite;
  beforeAll(async () => {
    global = await startSuite({
      env: { RANGE_LIMIT: '5', RANGE_ALERT_LIMIT: '2', RANGE_WINDOW_SECONDS: '600', RANGE_BLOCK_SCOPE: 'global' },
      seed: [
        secondMerchantSeed([
          { identifier: 'bea-1', address: '+33666600001' },
          { identifier: 'bea-2', address: '+33666600002' },
          { identifier: 'bea-3', address: '+33666600003' },
        ]),
      ],
    });
  });
  afterAll(async () => {
    await global?.stop();
  });

  const at = (merchant: 'default' | 'other', identifier: string) =>
    merchant === 'other' ? startAsSecondMerchant(global, identifier) : api(global, 'POST', '/v1/verifications', { body: { identifier } });

  it('is alerted and, on the operator decision, blocks the range for everyone although no merchant burst alone', async () => {
    expect(await issuedOutcome(global, (await at('default', 'bea-1')).body.id)).toBe('login');
    expect(await issuedOutcome(global, (await at('other', 'bea-2')).body.id)).toBe('login');
    // The third code to the range, all merchants together, passes the limit of 2.
    expect(await issuedOutcome(global, (await at('default', 'bea-3')).body.id)).toBe('login:withheld');
    expect(await issuedOutcome(global, (await at('other', 'bea-1')).body.id)).toBe('login:withheld');
    const metrics = await (await fetch(`http://127.0.0.1:${global.data.opsPort}/metrics`)).text();
    expect(metrics).toMatch(/outband_abuse_alerts_total\{[^}]*kind="range_burst"[^}]*\} 1/);
  });
});
