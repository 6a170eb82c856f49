import { api, eventually, readCode } from '../support/http';
import { card, checkPayment, setPolicy, startPayment, states } from '../support/payments';
import { startSuite, subscribers, type Suite } from '../support/suite';

// Short code lifetime and a fast sweep, so expiry and recovery happen within a test.
let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({ env: { CODE_TTL_SECONDS: '2', PAYMENT_SWEEP_SECONDS: '1', PAYMENT_GRACE_SECONDS: '1', BANK_ATTEMPTS: '1' } });
});
afterAll(async () => {
  await suite?.stop();
});
beforeEach(async () => {
  suite.sim.inbox.clear();
  suite.bank.configure({ failNext: 0, dropAnswerNext: 0, latencyMs: 0 });
  await setPolicy(suite, { limitAmount: null });
});

const tx = { amount: 2_500, currency: 'EUR', payee: 'Night Train' };
const alice = { kind: 'card', identifier: 'alice', cardToken: 'tok_alice' };

const payment = async (id: string) => (await api(suite, 'GET', `/v1/payments/${id}`)).body;
const authorizationOf = async (paymentId: string) => {
  const all = (await (await fetch(`${suite.bank.url}/authorizations`)).json()) as {
    authorizations: Array<{ reference: string; status: string }>;
  };
  return all.authorizations.filter((a) => a.reference === paymentId);
};

describe('payments that something interrupted', () => {
  it('voids the authorization of a code that expired, and captures nothing', async () => {
    const before = await card(suite, 'tok_alice');
    const p = (await startPayment(suite, alice, tx)).body;
    await eventually(async () => ((await payment(p.id as string)).state === 'expired' ? true : undefined), 10_000);
    expect(states(await payment(p.id as string))).toEqual(['created', 'authorized', 'code_sent', 'expired']);
    expect(await authorizationOf(p.id as string)).toEqual([expect.objectContaining({ status: 'voided' })]);
    expect(await card(suite, 'tok_alice')).toEqual(expect.objectContaining({ balance: before.balance, held: before.held }));
  });

  it('captures after a data-server restart when the bank failed at capture time (approved, never dangling)', async () => {
    const before = await card(suite, 'tok_alice');
    const p = (await startPayment(suite, alice, tx)).body;
    const code = await readCode(suite, subscribers.alice.address, 1);
    suite.bank.configure({ failNext: 1 }); // the capture call fails
    const checked = await checkPayment(suite, p.verificationId as string, code, tx);
    expect(checked.body.status).toBe('approved');
    expect(checked.body.payment).toMatchObject({ state: 'verified' });
    await suite.restartDataServer();
    await eventually(async () => ((await payment(p.id as string)).state === 'captured' ? true : undefined), 10_000);
    expect(await card(suite, 'tok_alice')).toEqual(expect.objectContaining({ balance: before.balance - 2_500, held: before.held }));
    const period = new Date().toISOString().slice(0, 7);
    const statement = await api(suite, 'GET', `/v1/subscribers/alice/statement?period=${period}`);
    expect((statement.body.entries as Array<{ paymentId: string }>).filter((e) => e.paymentId === p.id)).toHaveLength(1);
  });

  it('finds and voids an authorization whose answer was lost, telling the merchant which payment failed', async () => {
    const before = await card(suite, 'tok_alice');
    suite.bank.configure({ dropAnswerNext: 1 });
    const answer = await startPayment(suite, alice, tx);
    expect(answer.status).toBe(503);
    expect(answer.body.code).toBe('BANK_UNAVAILABLE');
    const id = answer.body.paymentId as string;
    expect(id).toMatch(/^pa_/);
    // The bank did hold the funds; the sweep asks it what it did and releases them.
    await eventually(async () => ((await payment(id)).state === 'failed' ? true : undefined), 10_000);
    expect(await payment(id)).toMatchObject({ cause: 'ABANDONED' });
    expect(await authorizationOf(id)).toEqual([expect.objectContaining({ status: 'voided' })]);
    expect(await card(suite, 'tok_alice')).toEqual(expect.objectContaining({ held: before.held }));
    expect(suite.sim.inbox.list(subscribers.alice.address)).toHaveLength(0);
  });

  it('stops trying to void an authorization the bank refuses to void, and says so', async () => {
    const p = (await startPayment(suite, alice, tx)).body;
    const [authorization] = (
      (await (await fetch(`${suite.bank.url}/authorizations`)).json()) as { authorizations: Array<{ id: string; reference: string }> }
    ).authorizations.filter((a) => a.reference === p.id);
    // Taken at the bank behind Outband's back: a void is refused for good.
    await fetch(`${suite.bank.url}/v1/authorizations/${authorization?.id ?? ''}/capture`, { method: 'POST' });
    await api(suite, 'POST', `/v1/verifications/${p.verificationId as string}/cancel`);
    expect(await payment(p.id as string)).toMatchObject({ state: 'failed', cause: 'VOID_REFUSED' });
  });

  it('stops calling a failing bank for a while, then recovers', async () => {
    suite.bank.configure({ failNext: 100 });
    const answers = [];
    for (let i = 0; i < 7; i++) {
      answers.push((await startPayment(suite, alice, { ...tx, amount: 100 + i })).body);
    }
    expect(answers.every((a) => a.code === 'BANK_UNAVAILABLE')).toBe(true);
    const failedCalls = 100 - suite.bank.behaviour.failNext;
    expect(failedCalls).toBeLessThan(7); // the breaker refused the last ones without calling
    suite.bank.configure({ failNext: 0 });
    await suite.restartDataServer(); // a fresh breaker, as after its open period
    const ok = await startPayment(suite, alice, tx);
    expect(ok.body.state).toBe('code_sent');
  });
});
