import { openDatabase } from '@outband/db';
import { api, eventually, waitForInbox } from '../support/http';
import { secondMerchantSeed, startAsSecondMerchant } from '../support/second-merchant';
import { receivedBefore, startMarked, whenNoLonger } from '../support/signals';
import { startSuite, subscribers, type Suite } from '../support/suite';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({ env: { SEND_LIMIT_PER_ADDRESS: '3', SEND_LIMIT_WINDOW_SECONDS: '2' } });
});
afterAll(async () => {
  await suite?.stop();
});

const start = (identifier: string) => api(suite, 'POST', '/v1/verifications', { body: { identifier } });

describe('sends per address (SMS pumping, harassment)', () => {
  it('refuses the send over the limit with 429 and Retry-After, sends nothing, and recovers after the window', async () => {
    const first = [await start('alice'), await start('alice'), await start('alice')];
    expect(first.map((r) => r.status)).toEqual([201, 201, 201]);
    const refused = await start('alice');
    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('TOO_MANY_SENDS');
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    // Another handset is not affected.
    expect((await start('bob')).status).toBe(201);
    // Once the window is over a start goes through again; its SMS, later on the same route, comes
    // after any the refused start could have sent.
    const recovered = await whenNoLonger('TOO_MANY_SENDS', () => startMarked(suite, 'alice'));
    expect(recovered.status).toBe(201);
    expect(await receivedBefore(suite, subscribers.alice.address, recovered.payee)).toHaveLength(3);
  });
});

describe('consecutive failures per subscriber (NIST SP 800-63B-4: a new code does not reset them)', () => {
  let locked: Suite;
  beforeAll(async () => {
    locked = await startSuite({ env: { SUBSCRIBER_FAILURE_LIMIT: '3', SUBSCRIBER_BLOCK_SECONDS: '1', SEND_LIMIT_PER_ADDRESS: '100' } });
  });
  afterAll(async () => {
    await locked?.stop();
  });

  const call = (method: string, path: string, body?: object) => api(locked, method, path, body ? { body } : {});

  it('counts failures across codes, blocks at the limit, and unblocks after the block time', async () => {
    const first = String((await call('POST', '/v1/verifications', { identifier: 'alice' })).body.id);
    expect((await call('POST', `/v1/verifications/${first}/check`, { code: '000000' })).body.attemptsLeft).toBe(4);
    expect((await call('POST', `/v1/verifications/${first}/check`, { code: '000001' })).body.attemptsLeft).toBe(3);
    // A new code does not reset the count: one more failure reaches the limit of 3.
    const second = String((await call('POST', '/v1/verifications', { identifier: 'alice' })).body.id);
    const code = /(\d{6})/.exec((await waitForInbox(locked, subscribers.alice.address, 2))[1]?.text ?? '')?.[1] ?? '';
    await call('POST', `/v1/verifications/${second}/check`, { code: code === '000002' ? '000003' : '000002' });
    const blockedCheck = await call('POST', `/v1/verifications/${second}/check`, { code });
    expect(blockedCheck.status).toBe(429);
    expect(blockedCheck.body.code).toBe('SUBSCRIBER_LOCKED');
    expect(blockedCheck.headers.get('retry-after')).not.toBeNull();
    expect((await call('POST', '/v1/verifications', { identifier: 'alice' })).body.code).toBe('SUBSCRIBER_LOCKED');
    // Other subscribers are not affected.
    expect((await call('POST', '/v1/verifications', { identifier: 'bob' })).status).toBe(201);
    const third = await whenNoLonger('SUBSCRIBER_LOCKED', () => call('POST', '/v1/verifications', { identifier: 'alice' }));
    expect(third.status).toBe(201);
  });

  it('resets the count on an approval', async () => {
    const id = String((await call('POST', '/v1/verifications', { identifier: 'bob' })).body.id);
    const messages = await waitForInbox(locked, subscribers.bob.address, 2);
    const code = /(\d{6})/.exec(messages[messages.length - 1]?.text ?? '')?.[1] ?? '';
    await call('POST', `/v1/verifications/${id}/check`, { code: code === '000000' ? '000001' : '000000' });
    await call('POST', `/v1/verifications/${id}/check`, { code: code === '000000' ? '000001' : '000000' });
    expect((await call('POST', `/v1/verifications/${id}/check`, { code })).body.status).toBe('approved');
    const next = String((await call('POST', '/v1/verifications', { identifier: 'bob' })).body.id);
    // Two more failures would have reached 3 without the reset.
    await call('POST', `/v1/verifications/${next}/check`, { code: '000000' });
    const again = await call('POST', `/v1/verifications/${next}/check`, { code: '000001' });
    expect(again.status).toBe(200);
  });
});

describe('verifications per merchant', () => {
  let limited: Suite;
  beforeAll(async () => {
    limited = await startSuite({ env: { MERCHANT_LIMIT_PER_SECOND: '3', SEND_LIMIT_PER_ADDRESS: '100' } });
  });
  afterAll(async () => {
    await limited?.stop();
  });

  it('refuses starts beyond the merchant rate with 429 MERCHANT_RATE_LIMITED, then recovers', async () => {
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => api(limited, 'POST', '/v1/verifications', { body: { identifier: 'bob' } })),
    );
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses.filter((s) => s === 201).length).toBeLessThanOrEqual(3);
    expect(
      answers.filter((a) => a.status === 429).every((a) => a.body.code === 'MERCHANT_RATE_LIMITED' && a.headers.get('retry-after')),
    ).toBe(true);
    expect(statuses).toContain(429);
    const later = await whenNoLonger('MERCHANT_RATE_LIMITED', () =>
      api(limited, 'POST', '/v1/verifications', { body: { identifier: 'bob' } }),
    );
    expect(later.status).toBe(201);
  });
});

describe('repeated blocks (NIST SP 800-63B-4 §3.1.3.2): per merchant, told to the subscriber, never a suspension', () => {
  let strict: Suite;
  beforeAll(async () => {
    strict = await startSuite({
      env: {
        SUBSCRIBER_FAILURE_LIMIT: '2',
        SUBSCRIBER_BLOCK_SECONDS: '1',
        SUBSCRIBER_BLOCKS_BEFORE_PERMANENT: '2',
        SEND_LIMIT_PER_ADDRESS: '100',
      },
      seed: [secondMerchantSeed()],
    });
  });
  afterAll(async () => {
    await strict?.stop();
  });

  const call = (method: string, path: string, body?: object) => api(strict, method, path, body ? { body } : {});
  const atOther = (identifier: string) => startAsSecondMerchant(strict, identifier);
  async function failTwice(): Promise<void> {
    const started = await call('POST', '/v1/verifications', { identifier: 'alice' });
    expect(started.status).toBe(201);
    const id = String(started.body.id);
    // Two codes differ from the one sent but for a one-in-a-million chance.
    await call('POST', `/v1/verifications/${id}/check`, { code: '000000' });
    await call('POST', `/v1/verifications/${id}/check`, { code: '000001' });
  }
  const unblocked = () =>
    eventually(async () => {
      const r = await call('POST', '/v1/verifications', { identifier: 'alice' });
      return r.status === 201 ? r : undefined;
    }, 10_000);

  it('blocks the subscriber only at the merchant where the wrong codes were typed, and warns by SMS', async () => {
    await failTwice();
    const warned = await waitForInbox(strict, subscribers.alice.address, 2);
    expect(warned[1]?.text).toContain('paused there for a while');
    expect(warned[1]?.text).not.toMatch(/\d{6}/);
    expect((await call('POST', '/v1/verifications', { identifier: 'alice' })).body.code).toBe('SUBSCRIBER_LOCKED');
    // Another merchant is not affected: its code reaches the phone.
    expect((await atOther('alice')).status).toBe(201);
    expect((await waitForInbox(strict, subscribers.alice.address, 3))[2]?.text).toMatch(/code is \d{6}/);
  });

  it('tells each repeated block to the subscriber and never suspends: codes keep reaching the phone', async () => {
    await unblocked(); // a code: 4 texts
    await failTwice(); // another code and the second block: 6 texts
    const told = await waitForInbox(strict, subscribers.alice.address, 6);
    expect(told[5]?.text).toContain('keep being typed');
    await unblocked();
    // Not suspended (a suspended subscriber gets a decoy and nothing is sent): a real code arrives.
    expect((await waitForInbox(strict, subscribers.alice.address, 7))[6]?.text).toMatch(/code is \d{6}/);
    const db = openDatabase(strict.databaseUrl, { min: 0, max: 1 });
    const rows = await db('subscribers').where({ identifier: 'alice' }).select('status');
    await db.destroy();
    expect(rows).toEqual([{ status: 'active' }]);
  });
});
