import { api, readCode, waitForInbox } from '../support/http';
import { receivedBeforeNext, whenNoLonger } from '../support/signals';
import { startSuite, subscribers, type Suite } from '../support/suite';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({ env: { RESEND_COOLDOWN_SECONDS: '1', MAX_SENDS_PER_VERIFICATION: '3' } });
});
afterAll(async () => {
  await suite?.stop();
});
beforeEach(() => {
  suite.sim.inbox.clear();
});

const resend = (id: string, body: object = {}) => api(suite, 'POST', `/v1/verifications/${id}/resend`, { body });
/** The resend's answer once the cool-down is over (repeated while it answers RESEND_TOO_SOON). */
const resendAfterCooldown = (id: string, body: object = {}) => whenNoLonger('RESEND_TOO_SOON', () => resend(id, body));
const check = (id: string, code: string, body: object = {}) =>
  api(suite, 'POST', `/v1/verifications/${id}/check`, { body: { code, ...body } });

describe('resending a code', () => {
  it('sends a new code that replaces the old one, keeping the failed attempts', async () => {
    const v = (await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } })).body;
    const first = await readCode(suite, subscribers.alice.address, 1);
    const wrong = first === '000000' ? '111111' : '000000';
    expect((await check(v.id as string, wrong)).body.attemptsLeft).toBe(4);
    const resent = await resendAfterCooldown(v.id as string);
    expect(resent.status).toBe(200);
    expect(resent.body).toMatchObject({ id: v.id, status: 'pending', attemptsLeft: 4 });
    const second = await readCode(suite, subscribers.alice.address, 2);
    if (second !== first) {
      const old = await check(v.id as string, first);
      expect(old.body.cause).toMatchObject({ code: 'CODE_MISMATCH' });
    }
    expect((await check(v.id as string, second)).body.status).toBe('approved');
  });

  it('waits the cool-down between two codes and sends at most the configured number per verification', async () => {
    const v = (await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } })).body;
    const tooSoon = await resend(v.id as string);
    expect(tooSoon.status).toBe(429);
    expect(tooSoon.body.code).toBe('RESEND_TOO_SOON');
    expect(Number(tooSoon.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await resendAfterCooldown(v.id as string)).status).toBe(200);
    // The cool-down starts again with each code.
    expect((await resend(v.id as string)).body.code).toBe('RESEND_TOO_SOON');
    expect((await resendAfterCooldown(v.id as string)).status).toBe(200);
    const fourth = await resendAfterCooldown(v.id as string);
    expect(fourth.status).toBe(409);
    expect(fourth.body.code).toBe('TOO_MANY_RESENDS');
    // A later SMS to the handset arrives after any code the refused resend could have sent.
    expect(await receivedBeforeNext(suite, 'alice', subscribers.alice.address)).toHaveLength(3);
  });

  it('resends a transaction code only for the same transaction, with amount and payee in clear again', async () => {
    const transaction = { amount: 1_999, currency: 'EUR', payee: 'Book Shop' };
    const v = (await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice', purpose: 'transaction', transaction } })).body;
    const changed = await resendAfterCooldown(v.id as string, { transaction: { ...transaction, amount: 1 } });
    expect(changed.status).toBe(400);
    expect(changed.body.code).toBe('TRANSACTION_MISMATCH');
    expect((await resendAfterCooldown(v.id as string, { transaction })).status).toBe(200);
    const messages = await waitForInbox(suite, subscribers.alice.address, 2);
    expect(messages[1]?.text).toContain('€19.99 to Book Shop');
    const code = await readCode(suite, subscribers.alice.address, 2);
    expect((await check(v.id as string, code, { transaction })).body.status).toBe('approved');
  });

  it('refuses to resend a finished verification', async () => {
    const v = (await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } })).body;
    await api(suite, 'POST', `/v1/verifications/${v.id as string}/cancel`);
    const answer = await resend(v.id as string);
    expect(answer.status).toBe(409);
    expect(answer.body.code).toBe('CANCELED');
  });
});
