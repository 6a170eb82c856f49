import { api, readCode, waitForInbox } from '../support/http';
import { card, checkPayment, everyPaymentSecured, setPolicy, startPayment, states } from '../support/payments';
import { startSuite, subscribers, type Suite } from '../support/suite';
import { laterMessage } from '../support/signals';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite();
});
afterAll(async () => {
  await suite?.stop();
});
beforeEach(async () => {
  suite.sim.inbox.clear();
  await setPolicy(suite, everyPaymentSecured);
});

const tx = { amount: 4_990, currency: 'EUR', payee: 'Velo Shop', items: [{ name: 'Helmet', quantity: 1 }] };
const alice = { kind: 'card', identifier: 'alice', cardToken: 'tok_alice' };

interface Payment {
  id: string;
  state: string;
  securing: string;
  verificationId?: string;
  cause?: string;
  ticket?: string[];
  history: Array<{ state: string }>;
}

async function payAndConfirm(source: object, transaction = tx, address = subscribers.alice.address): Promise<Payment> {
  const started = await startPayment(suite, source, transaction);
  expect(started.status).toBe(201);
  const p = started.body as unknown as Payment;
  expect(p.state).toBe('code_sent');
  const code = await readCode(suite, address, 1);
  const checked = await checkPayment(suite, p.verificationId ?? '', code, transaction);
  expect(checked.status).toBe(200);
  expect(checked.body.status).toBe('approved');
  return checked.body.payment as Payment;
}

describe('payments with a card token (patent Fig. 7)', () => {
  it('authorizes, sends amount and payee with the code, and captures only after the check', async () => {
    const before = await card(suite, 'tok_alice');
    const started = await startPayment(suite, alice, tx);
    const p = started.body as unknown as Payment;
    expect(started.headers.get('location')).toBe(`/v1/payments/${p.id}`);
    expect(states(p)).toEqual(['created', 'authorized', 'code_sent']);
    expect(await card(suite, 'tok_alice')).toEqual(expect.objectContaining({ balance: before.balance, held: before.held + 4_990 }));
    const [sms] = await waitForInbox(suite, subscribers.alice.address, 1);
    expect(sms?.text).toContain('€49.90 to Velo Shop');
    const code = /code (\d{6})/.exec(sms?.text ?? '')?.[1] ?? '';
    const checked = await checkPayment(suite, p.verificationId ?? '', code, tx);
    const paid = checked.body.payment as Payment;
    expect(paid.state).toBe('captured');
    expect(states(paid)).toEqual(['created', 'authorized', 'code_sent', 'verified', 'captured']);
    expect(await card(suite, 'tok_alice')).toEqual(expect.objectContaining({ balance: before.balance - 4_990, held: before.held }));
    const metrics = await (await fetch(`http://127.0.0.1:${suite.data.opsPort}/metrics`)).text();
    expect(metrics).toMatch(/outband_payment_transitions_total\{[^}]*state="captured"[^}]*\} [1-9]/);
    expect(metrics).toMatch(/outband_bank_call_duration_seconds_count\{[^}]*operation="capture",outcome="ok"[^}]*\} [1-9]/);
    const read = await api(suite, 'GET', `/v1/payments/${p.id}`);
    expect(read.body).toMatchObject({
      id: p.id,
      state: 'captured',
      amount: 4_990,
      currency: 'EUR',
      payee: 'Velo Shop',
      to: expect.stringMatching(/78$/),
    });
  });

  it('refuses a changed amount, currency or payee as a failed attempt, captures nothing, and voids after the last one', async () => {
    const before = await card(suite, 'tok_alice');
    const p = (await startPayment(suite, alice, tx)).body as unknown as Payment;
    const code = await readCode(suite, subscribers.alice.address, 1);
    for (const changed of [
      { ...tx, amount: 4_991 },
      { ...tx, currency: 'USD' },
      { ...tx, payee: 'Mallory' },
      { ...tx, amount: 1 },
    ]) {
      const answer = await checkPayment(suite, p.verificationId ?? '', code, changed);
      expect(answer.body.cause).toMatchObject({ code: 'TRANSACTION_MISMATCH' });
      expect(answer.body.payment).toBeUndefined();
    }
    expect((await api(suite, 'GET', `/v1/payments/${p.id}`)).body.state).toBe('code_sent');
    const last = await checkPayment(suite, p.verificationId ?? '', code, { ...tx, payee: 'Eve' });
    expect(last.body.cause).toMatchObject({ code: 'TOO_MANY_ATTEMPTS' });
    expect(last.body.payment).toMatchObject({ state: 'failed', cause: 'TOO_MANY_ATTEMPTS' });
    expect(await card(suite, 'tok_alice')).toEqual(expect.objectContaining({ balance: before.balance, held: before.held }));
    const authorizations = (await (await fetch(`${suite.bank.url}/authorizations`)).json()) as {
      authorizations: Array<{ reference: string; status: string }>;
    };
    expect(authorizations.authorizations.find((a) => a.reference === p.id)?.status).toBe('voided');
  });

  it('fails the payment when the bank refuses the capture (the authorization was voided at the bank)', async () => {
    const p = (await startPayment(suite, alice, tx)).body as unknown as Payment;
    const code = await readCode(suite, subscribers.alice.address, 1);
    const [authorization] = (
      (await (await fetch(`${suite.bank.url}/authorizations`)).json()) as { authorizations: Array<{ id: string; reference: string }> }
    ).authorizations.filter((a) => a.reference === p.id);
    await fetch(`${suite.bank.url}/v1/authorizations/${authorization?.id ?? ''}/void`, { method: 'POST' });
    const checked = await checkPayment(suite, p.verificationId ?? '', code, tx);
    expect(checked.body.status).toBe('approved');
    expect(checked.body.payment).toMatchObject({ state: 'failed', cause: 'CAPTURE_REFUSED' });
  });

  it('voids the authorization when the merchant cancels the verification', async () => {
    const p = (await startPayment(suite, alice, tx)).body as unknown as Payment;
    await api(suite, 'POST', `/v1/verifications/${p.verificationId ?? ''}/cancel`);
    const read = await api(suite, 'GET', `/v1/payments/${p.id}`);
    expect(read.body).toMatchObject({ state: 'voided', cause: 'CANCELED' });
  });

  it.each([
    ['tok_carol', 'CARD_BLOCKED'],
    ['tok_nobody', 'UNKNOWN_CARD'],
  ])('declines card %s as %s and sends no code', async (cardToken, cause) => {
    const answer = await startPayment(suite, { ...alice, cardToken }, tx);
    expect(answer.status).toBe(201);
    expect(answer.body).toMatchObject({ state: 'declined', cause });
    expect(states(answer.body)).toEqual(['created', 'declined']);
    // A later login code to the same handset is the first and only message it gets.
    const later = await laterMessage(suite, subscribers.alice.address, 'alice');
    expect(later.inbox).toHaveLength(1);
    expect((await api(suite, 'POST', `/v1/verifications/${later.id}/check`, { body: { code: later.code } })).body.status).toBe('approved');
  });

  it('answers unknown payments, bad sources and bad amounts with problems', async () => {
    expect((await api(suite, 'GET', `/v1/payments/pa_${'0'.repeat(32)}`)).body.code).toBe('PAYMENT_NOT_FOUND');
    expect((await api(suite, 'GET', '/v1/payments/nope')).body.code).toBe('PAYMENT_NOT_FOUND');
    const bad = await startPayment(suite, { kind: 'card', identifier: 'alice', cardToken: 'tok alice' }, { ...tx, amount: 12.5 });
    expect(bad.status).toBe(400);
    expect(bad.contentType).toContain('application/problem+json');
    expect((await startPayment(suite, { kind: 'card', identifier: 'nobody', cardToken: 'tok_alice' }, tx)).body.code).toBe(
      'SUBSCRIBER_UNKNOWN',
    );
  });
});

describe('payments with the card on file of the contract (Fig. 8)', () => {
  it('charges the contract card after the check', async () => {
    const paid = await payAndConfirm({ kind: 'contract', identifier: 'alice' });
    expect(paid).toMatchObject({ state: 'captured', securing: 'secured' });
  });

  it('declines for insufficient funds before any code is sent', async () => {
    const answer = await startPayment(suite, { kind: 'contract', identifier: 'bob' }, { ...tx, amount: 5_000 });
    expect(answer.body).toMatchObject({ state: 'declined', cause: 'INSUFFICIENT_FUNDS' });
  });

  it('refuses a subscriber without a card on file', async () => {
    const answer = await startPayment(suite, { kind: 'contract', identifier: 'pager-7' }, tx);
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe('NO_CARD_ON_FILE');
  });

  it('authorizes only after the check when the merchant asks so', async () => {
    await setPolicy(suite, { authorizeAfterCheck: true });
    const paid = await payAndConfirm({ kind: 'contract', identifier: 'alice' });
    expect(states(paid)).toEqual(['created', 'code_sent', 'verified', 'authorized', 'captured']);
  });

  it('declines after the check when the funds are short by then', async () => {
    await setPolicy(suite, { authorizeAfterCheck: true });
    const big = { ...tx, amount: 2_000 };
    const started = await startPayment(suite, { kind: 'contract', identifier: 'bob' }, big);
    const p = started.body as unknown as Payment;
    expect(p.state).toBe('code_sent');
    const code = await readCode(suite, subscribers.bob.address, 1);
    const checked = await checkPayment(suite, p.verificationId ?? '', code, big);
    expect(checked.body.payment).toMatchObject({ state: 'declined', cause: 'INSUFFICIENT_FUNDS' });
  });
});

describe('payment terminal (Fig. 9)', () => {
  it('identifies the customer by card, sends the code to the phone, and answers the ticket', async () => {
    const paid = await payAndConfirm({ kind: 'terminal', terminalId: 'T-0042', pan: '4000000000000002' });
    expect(paid.state).toBe('captured');
    expect(paid.ticket).toEqual(
      expect.arrayContaining(['Velo Shop', 'TERMINAL T-0042', 'AMOUNT 49.90 EUR', 'APPROVED - CODE CONFIRMED', `REF ${paid.id}`]),
    );
  });

  it('refuses a card whose holder is no subscriber', async () => {
    const answer = await startPayment(suite, { kind: 'terminal', terminalId: 'T-0042', pan: '4000000000000036' }, tx);
    expect(answer.status).toBe(404);
    expect(answer.body.code).toBe('CARDHOLDER_UNKNOWN');
  });
});

describe('trusted third party: limit amount and PSD2 Art. 16 (Fig. 10)', () => {
  it('pays up to the limit without a code, and secures one minor unit above it', async () => {
    await setPolicy(suite, { limitAmount: 5_000 });
    const normal = await startPayment(suite, alice, { ...tx, amount: 5_000 });
    expect(normal.body).toMatchObject({ state: 'captured', securing: 'normal' });
    expect(states(normal.body)).toEqual(['created', 'authorized', 'captured']);
    const secured = await startPayment(suite, alice, { ...tx, amount: 5_001 });
    expect(secured.body).toMatchObject({ state: 'code_sent', securing: 'secured' });
    // One SMS: the secured payment's code, none for the normal one (waited for, so that it does not
    // land in the next test's inbox).
    expect(await waitForInbox(suite, subscribers.alice.address, 1)).toHaveLength(1);
  });

  it('secures the sixth low-value payment since the last secured one, then counts again', async () => {
    await setPolicy(suite, { limitAmount: 3_000, lowValueRule: 'count' });
    await payAndConfirm(alice, { ...tx, amount: 3_001 }); // the count starts after a secured payment
    suite.sim.inbox.clear();
    const securings = [];
    for (let i = 0; i < 6; i++) {
      securings.push((await startPayment(suite, alice, { ...tx, amount: 100 })).body.securing);
    }
    expect(securings).toEqual(['normal', 'normal', 'normal', 'normal', 'normal', 'secured']);
    await waitForInbox(suite, subscribers.alice.address, 1); // the secured one's code, before the next test
  });

  it('secures the payment that takes the cumulative amount over 100 EUR', async () => {
    await setPolicy(suite, { limitAmount: 3_000, lowValueRule: 'cumulative_amount' });
    await payAndConfirm(alice, { ...tx, amount: 3_001 });
    const securings = [];
    for (const amount of [3_000, 3_000, 3_000, 1_000, 1]) {
      securings.push((await startPayment(suite, alice, { ...tx, amount })).body.securing);
    }
    expect(securings).toEqual(['normal', 'normal', 'normal', 'normal', 'secured']);
    await waitForInbox(suite, subscribers.alice.address, 2); // the secured one's code, before the next test
  });
});

describe('billing registers', () => {
  it('books every captured payment once in both registers; statement and settlement add up exactly', async () => {
    const period = new Date().toISOString().slice(0, 7);
    await setPolicy(suite, { limitAmount: 1_000_000, serviceChargeBps: 250 });
    const amounts = Array.from({ length: 200 }, (_, i) => 101 + i);
    const answers = await Promise.all(amounts.map((amount) => startPayment(suite, alice, { ...tx, amount })));
    expect(answers.map((a) => a.body.state)).toEqual(amounts.map(() => 'captured'));
    const sum = amounts.reduce((a, b) => a + b, 0);
    const settlement = await api(suite, 'GET', `/v1/settlements?period=${period}`);
    const eur = (
      settlement.body.lines as Array<{ currency: string; gross: number; serviceCharge: number; net: number; payments: number }>
    ).find((l) => l.currency === 'EUR');
    const statement = await api(suite, 'GET', `/v1/subscribers/alice/statement?period=${period}`);
    const entries = statement.body.entries as Array<{ amount: number; paymentId: string }>;
    const ids = new Set(answers.map((a) => a.body.id as string));
    const booked = entries.filter((e) => ids.has(e.paymentId));
    expect(booked).toHaveLength(200);
    expect(booked.reduce((n, e) => n + e.amount, 0)).toBe(sum);
    // Every payment of this suite that was captured is in the register, and nothing else.
    const bank = (await (await fetch(`${suite.bank.url}/authorizations`)).json()) as {
      authorizations: Array<{ status: string; amount: number; reference: string }>;
    };
    const captured = bank.authorizations.filter((a) => a.status === 'captured').reduce((n, a) => n + a.amount, 0);
    expect(eur?.gross).toBe(captured);
    expect(entries.reduce((n, e) => n + e.amount, 0)).toBe(captured);
    expect(eur && eur.serviceCharge + eur.net).toBe(eur?.gross);
    expect(eur?.serviceCharge).toBe(Math.floor(((eur?.gross ?? 0) * 250 + 5_000) / 10_000));
    expect(bank.authorizations.filter((a) => ids.has(a.reference)).map((a) => a.status)).toEqual(amounts.map(() => 'captured'));
    const csv = await fetch(`${suite.baseUrl}/v1/subscribers/alice/statement?period=${period}`, {
      headers: { authorization: `Bearer ${suite.token()}`, accept: 'text/csv' },
    });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\r\n');
    expect(lines[0]).toBe('booked_at,kind,amount_minor,currency,payment_id,verification_id');
    expect(lines).toHaveLength(entries.length + 1);
  });

  it('bills a predetermined value per approved verification where the merchant is billed so', async () => {
    await setPolicy(suite, { billingMode: 'per_verification', billingValue: 7, billingCurrency: 'EUR' });
    const period = new Date().toISOString().slice(0, 7);
    const before = await api(suite, 'GET', `/v1/settlements?period=${period}`);
    const fees = (b: Record<string, unknown>) =>
      (b.verificationFees as Array<{ verifications: number; amount: number }>)[0] ?? { verifications: 0, amount: 0 };
    const v = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } });
    const code = await readCode(suite, subscribers.alice.address, 1);
    await api(suite, 'POST', `/v1/verifications/${v.body.id as string}/check`, { body: { code: '000000' === code ? '111111' : '000000' } });
    await api(suite, 'POST', `/v1/verifications/${v.body.id as string}/check`, { body: { code } });
    await api(suite, 'POST', `/v1/verifications/${v.body.id as string}/check`, { body: { code } }); // ALREADY_USED: not billed again
    const after = await api(suite, 'GET', `/v1/settlements?period=${period}`);
    expect(fees(after.body).verifications - fees(before.body).verifications).toBe(1);
    expect(fees(after.body).amount - fees(before.body).amount).toBe(7);
    const statement = await api(suite, 'GET', `/v1/subscribers/alice/statement?period=${period}`);
    expect(statement.body.entries).toContainEqual(
      expect.objectContaining({ kind: 'per_verification', amount: 7, verificationId: v.body.id }),
    );
  });

  it('refuses a malformed period', async () => {
    const answer = await api(suite, 'GET', '/v1/settlements?period=2026-13');
    expect(answer.status).toBe(400);
    expect(answer.contentType).toContain('application/problem+json');
  });
});
