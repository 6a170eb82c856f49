import { execFile } from 'node:child_process';
import { resolve } from 'node:path';
import { promisify } from 'node:util';
import { api } from '../support/http';
import { card, everyPaymentSecured, setPolicy, states } from '../support/payments';
import { startSuite, type Suite } from '../support/suite';

// Offline transaction signing (RFC 6287 OCRA): the shop shows a challenge derived from the amount
// and payee, the payer's token answers it, and that response approves exactly that payment. The
// reference token, a command of ours, plays the payer's app.
let suite: Suite;
beforeAll(async () => {
  suite = await startSuite();
  await setPolicy(suite, everyPaymentSecured);
});
afterAll(async () => {
  await suite?.stop();
});

const tokenCommand = resolve(__dirname, '../../packages/ocra-token/dist/main.js');
/** What the payer's token shows for a challenge. */
async function tokenResponse(binding: Binding, challenge: string): Promise<string> {
  const { stdout } = await promisify(execFile)(process.execPath, [tokenCommand, '--suite', binding.suite, '--challenge', challenge], {
    env: { ...process.env, OUTBAND_TOKEN_KEY: binding.secret },
  });
  return stdout.trim();
}

interface Binding {
  secret: string;
  suite: string;
  challenge: string;
}

/** Enrols an OCRA token for `identifier` and confirms it with its response to the confirm challenge. */
async function enrolToken(identifier: string): Promise<Binding> {
  const created = await api(suite, 'POST', '/v1/factors', { body: { identifier, type: 'ocra' } });
  expect(created.status).toBe(201);
  const binding = created.body.binding as Binding;
  expect(binding).toEqual({
    secret: expect.stringMatching(/^[0-9a-f]{64}$/) as string,
    suite: 'OCRA-1:HOTP-SHA256-8:QN08',
    challenge: expect.stringMatching(/^\d{8}$/) as string,
  });
  expect(created.body).toMatchObject({
    status: 'unverified',
    type: 'ocra',
    config: { algorithm: 'SHA256', digits: 8, suite: binding.suite },
  });
  const wrong = await api(suite, 'POST', `/v1/factors/${String(created.body.id)}/confirm`, { body: { code: '00000000' } });
  expect(wrong.body).toMatchObject({ status: 'unverified', cause: { code: 'CODE_MISMATCH' } });
  const confirmed = await api(suite, 'POST', `/v1/factors/${String(created.body.id)}/confirm`, {
    body: { code: await tokenResponse(binding, binding.challenge) },
  });
  expect(confirmed.body).toMatchObject({ status: 'verified' });
  return binding;
}

const tx = { amount: 12_900, currency: 'EUR', payee: 'Velo Shop' };
const alice = { kind: 'card', identifier: 'alice', cardToken: 'tok_alice' };
const pay = (transaction = tx) => api(suite, 'POST', '/v1/payments', { body: { source: alice, transaction, channel: 'ocra-app' } });
const check = (verificationId: unknown, code: string, transaction?: object) =>
  api(suite, 'POST', `/v1/verifications/${String(verificationId)}/check`, { body: { code, ...(transaction ? { transaction } : {}) } });

describe('offline transaction signing with an OCRA token', () => {
  let token: Binding;
  beforeAll(async () => {
    token = await enrolToken('alice');
  });

  it("approves a payment with the token's response to its challenge, and captures it", async () => {
    const before = await card(suite, 'tok_alice');
    const started = await pay();
    expect(started.status).toBe(201);
    const challenge = (started.body.ocra as { challenge: string }).challenge;
    expect(challenge).toMatch(/^\d{8}$/);
    expect(states(started.body)).toEqual(['created', 'authorized', 'code_sent']);
    // The verification shows the same challenge to whoever reads it later.
    const v = await api(suite, 'GET', `/v1/verifications/${String(started.body.verificationId)}`);
    expect(v.body).toMatchObject({ channel: 'ocra-app', ocra: { challenge }, transaction: tx });
    expect(
      (await api(suite, 'POST', `/v1/verifications/${String(started.body.verificationId)}/resend`, { body: { transaction: tx } })).body,
    ).toMatchObject({
      code: 'CHANNEL_UNSUPPORTED',
    });

    const checked = await check(started.body.verificationId, await tokenResponse(token, challenge), tx);
    expect(checked.body).toMatchObject({ status: 'approved', payment: { state: 'captured' } });
    expect((await card(suite, 'tok_alice')).balance).toBe(before.balance - tx.amount);
  });

  it('refuses the response when the amount changes, and a response to another challenge', async () => {
    const started = await pay();
    const challenge = (started.body.ocra as { challenge: string }).challenge;
    const response = await tokenResponse(token, challenge);
    // The shop presents another amount than the one signed.
    const changed = await check(started.body.verificationId, response, { ...tx, amount: 129_000 });
    expect(changed.body).toMatchObject({ status: 'pending', cause: { code: 'TRANSACTION_MISMATCH' } });
    // The token's response to another challenge (one a forged page showed) does not sign this one.
    const forged = challenge === '12345678' ? '87654321' : '12345678';
    const crossed = await check(started.body.verificationId, await tokenResponse(token, forged), tx);
    expect(crossed.body).toMatchObject({ status: 'pending', cause: { code: 'CODE_MISMATCH' } });
    // Another amount has another challenge (this payment's verification is canceled by the new one),
    // and the right response to it approves it.
    const other = await pay({ ...tx, amount: 1_290 });
    const otherChallenge = (other.body.ocra as { challenge: string }).challenge;
    expect(otherChallenge).not.toBe(challenge);
    expect(
      (await check(other.body.verificationId, await tokenResponse(token, otherChallenge), { ...tx, amount: 1_290 })).body,
    ).toMatchObject({
      status: 'approved',
    });
  });

  it('stops approving the pending verifications of a token once it is deleted', async () => {
    const bobToken = await enrolToken('bob');
    const login = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'bob', channel: 'ocra-app' } });
    const challenge = (login.body.ocra as { challenge: string }).challenge;
    const factors = await api(suite, 'GET', '/v1/factors?identifier=bob');
    const [factor] = factors.body.factors as Array<{ id: string }>;
    expect((await api(suite, 'DELETE', `/v1/factors/${factor!.id}`)).body).toMatchObject({ status: 'deleted' });
    expect((await check(login.body.id, await tokenResponse(bobToken, challenge))).body).toMatchObject({
      status: 'pending',
      cause: { code: 'CODE_MISMATCH' },
    });
  });

  it('signs a login too, and a payer without a token gets a challenge no response answers', async () => {
    const login = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice', channel: 'ocra-app' } });
    const challenge = (login.body.ocra as { challenge: string }).challenge;
    expect((await check(login.body.id, await tokenResponse(token, challenge))).body).toMatchObject({ status: 'approved' });

    const small = { ...tx, amount: 990 };
    const bob = await api(suite, 'POST', '/v1/payments', {
      body: { source: { kind: 'card', identifier: 'bob', cardToken: 'tok_bob' }, transaction: small, channel: 'ocra-app' },
    });
    expect(bob.status).toBe(201);
    const bobChallenge = (bob.body.ocra as { challenge: string }).challenge;
    expect(bobChallenge).toMatch(/^\d{8}$/);
    // Alice's token answering bob's challenge approves nothing.
    const answered = await check(bob.body.verificationId, await tokenResponse(token, bobChallenge), small);
    expect(answered.body).toMatchObject({ status: 'pending', cause: { code: 'CODE_MISMATCH' } });
  });
});
