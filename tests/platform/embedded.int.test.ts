import { api, eventually, readCode, waitForInbox } from '../support/http';
import { card, checkPayment, setPolicy, startPayment } from '../support/payments';
import { startSuite, subscribers, type Suite } from '../support/suite';

/**
 * The three services on the embedded default's in-process bus and in-memory TTL stores: every
 * queue (requests, message.send, message.status, inbound texts) carries what it carries on RabbitMQ.
 */
let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({ embedded: true });
  await setPolicy(suite, { limitAmount: 3_000, serviceChargeBps: 150 });
});
afterAll(async () => {
  await suite?.stop();
});

describe('the embedded default (in-process bus, in-memory TTL store)', () => {
  it('approves a login with the code the phone received, and reports its delivery', async () => {
    expect(suite.databaseUrl).toMatch(/^sqlite:/);
    const started = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } });
    expect(started.status).toBe(201);
    const code = await readCode(suite, subscribers.alice.address);
    const wrong = await api(suite, 'POST', `/v1/verifications/${String(started.body.id)}/check`, {
      body: { code: code === '000000' ? '000001' : '000000' },
    });
    expect(wrong.body.status).toBe('pending');
    const checked = await api(suite, 'POST', `/v1/verifications/${String(started.body.id)}/check`, { body: { code } });
    expect(checked.body.status).toBe('approved');
    const delivered = await eventually(async () => {
      const v = await api(suite, 'GET', `/v1/verifications/${String(started.body.id)}`);
      return (v.body.delivery as { state?: string } | undefined)?.state === 'delivered' ? v.body : undefined;
    });
    expect(delivered.status).toBe('approved');
  });

  it('captures a payment above the limit once its code is typed', async () => {
    const before = await card(suite, 'tok_alice');
    const transaction = { amount: 5_000, currency: 'EUR', payee: 'Test shop' };
    const p = await startPayment(suite, { kind: 'contract', identifier: 'alice' }, transaction);
    expect(p.body.state).toBe('code_sent');
    const code = await readCode(suite, subscribers.alice.address, 2);
    const checked = await checkPayment(suite, String(p.body.verificationId), code, transaction);
    expect((checked.body.payment as { state: string }).state).toBe('captured');
    expect((await card(suite, 'tok_alice')).balance).toBe(before.balance - 5_000);
  });

  it('approves a reverse-channel code texted back from the phone', async () => {
    const started = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'bob', channel: 'reverse-sms' } });
    const reverse = started.body.reverse as { code: string; sendTo: string };
    await fetch(`http://127.0.0.1:${suite.sim.httpPort}/mo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: subscribers.bob.address, to: reverse.sendTo, text: reverse.code }),
    });
    const approved = await eventually(async () => {
      const v = await api(suite, 'GET', `/v1/verifications/${String(started.body.id)}`);
      return v.body.status === 'approved' ? v.body : undefined;
    });
    expect(approved.status).toBe('approved');
    expect(await waitForInbox(suite, subscribers.bob.address, 0)).toEqual([]);
  });
});
