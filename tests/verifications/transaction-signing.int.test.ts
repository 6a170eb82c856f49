import { createHash } from 'node:crypto';
import { openDatabase } from '@outband/db';
import { api, waitForInbox } from '../support/http';
import { startSuite, subscribers, type Suite } from '../support/suite';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({
    seed: [
      {
        merchant: { id: 'unused-fr', name: 'x', keys: [] },
        subscribers: [{ identifier: 'claire', address: '+33611223344', locale: 'fr' }],
      },
    ],
  });
});
afterAll(async () => {
  await suite?.stop();
});

const tx = { amount: 1250, currency: 'EUR', payee: 'Boulangerie Paul', items: [{ name: 'Baguette', quantity: 2 }] };

async function startTransaction(identifier = 'alice', transaction: object = tx) {
  const res = await api(suite, 'POST', '/v1/verifications', { body: { identifier, purpose: 'transaction', transaction } });
  expect(res.status).toBe(201);
  return res.body as { id: string; transaction: object };
}

async function lastCode(address: string, count: number): Promise<{ code: string; text: string }> {
  const messages = await waitForInbox(suite, address, count);
  const text = messages[messages.length - 1]?.text ?? '';
  return { code: /code (\d{6})/.exec(text)?.[1] ?? '', text };
}

const check = (id: string, code: string, transaction?: object) =>
  api(suite, 'POST', `/v1/verifications/${id}/check`, { body: { code, ...(transaction ? { transaction } : {}) } });

describe('transaction signing (PSD2 dynamic linking, patent Fig. 6)', () => {
  it('shows amount and payee in clear with the code, and approves the same transaction', async () => {
    const v = await startTransaction();
    expect(v.transaction).toEqual({ amount: 1250, currency: 'EUR', payee: 'Boulangerie Paul' });
    const { code, text } = await lastCode(subscribers.alice.address, 1);
    expect(text).toBe(`Outband: approve €12.50 to Boulangerie Paul with code ${code}. It expires in 5 min. Never share it.`);
    const ok = await check(v.id, code, tx);
    expect(ok.body.status).toBe('approved');
  });

  it('refuses the right code for a changed amount, currency, payee or item, each as a failed attempt', async () => {
    const v = await startTransaction();
    const { code } = await lastCode(subscribers.alice.address, 2);
    const tampered = [
      { ...tx, amount: 1251 },
      { ...tx, currency: 'USD' },
      { ...tx, payee: 'Mallory' },
      { ...tx, items: [{ name: 'Baguette', quantity: 20 }] },
    ];
    const answers = [];
    for (const t of tampered) {
      answers.push((await check(v.id, code, t)).body);
    }
    expect(answers.map((a) => (a.cause as { code: string }).code)).toEqual(Array(4).fill('TRANSACTION_MISMATCH'));
    expect(answers.map((a) => a.attemptsLeft)).toEqual([4, 3, 2, 1]);
    expect((await check(v.id, code, tx)).body.status).toBe('approved');
  });

  it('asks for the transaction at check time, without counting an attempt', async () => {
    const v = await startTransaction();
    const { code } = await lastCode(subscribers.alice.address, 3);
    const missing = await check(v.id, code);
    expect(missing.status).toBe(400);
    expect(missing.body.code).toBe('TRANSACTION_REQUIRED');
    expect((await api(suite, 'GET', `/v1/verifications/${v.id}`)).body.attemptsLeft).toBe(5);
  });

  it('refuses a transaction purpose without data, data without the purpose, and bad amounts or currencies', async () => {
    const cases = [
      { identifier: 'alice', purpose: 'transaction' },
      { identifier: 'alice', transaction: tx },
      { identifier: 'alice', purpose: 'transaction', transaction: { ...tx, amount: 12.5 } },
      { identifier: 'alice', purpose: 'transaction', transaction: { ...tx, amount: -1 } },
      { identifier: 'alice', purpose: 'transaction', transaction: { ...tx, currency: 'euro' } },
    ];
    for (const body of cases) {
      const res = await api(suite, 'POST', '/v1/verifications', { body });
      expect({ body, status: res.status, code: res.body.code }).toEqual({ body, status: 400, code: 'INVALID_INPUT' });
    }
  });

  it('sends a French transaction text as one GSM message', async () => {
    await startTransaction('claire');
    const [message] = await waitForInbox(suite, '+33611223344');
    expect(message?.text).toMatch(/^Outband : validez le paiement de 12,50 € à Boulangerie Paul avec le code \d{6}\./);
    expect({ parts: message?.parts, dataCoding: message?.dataCoding }).toEqual({ parts: 1, dataCoding: 0 });
  });

  it('gives a numeric pager the code and the amount as digits', async () => {
    await startTransaction('pager-7');
    const [message] = await waitForInbox(suite, subscribers.pager.address);
    expect(message?.text).toMatch(/^\d{6} 1250$/);
  });
});

describe('certified messages (purpose "message": an order or declaration)', () => {
  const statement = { text: 'I order 3 pallets of bricks, delivery 2026-12-01', reference: 'PO-1042' };

  it('shows the text with the code, approves the same text, and keeps its digest on the certificate', async () => {
    const res = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'bob', purpose: 'message', message: statement } });
    expect(res.status).toBe(201);
    const id = String(res.body.id);
    const messages = await waitForInbox(suite, subscribers.bob.address, 1);
    const text = messages[messages.length - 1]?.text ?? '';
    expect(text).toMatch(/^Outband: confirm "I order 3 pallets of bricks, delivery 2026-12-01" with code \d{6}\./);
    const code = /code (\d{6})/.exec(text)?.[1] ?? '';
    const changed = await check(id, code);
    expect(changed.status).toBe(400);
    expect(changed.body.code).toBe('MESSAGE_REQUIRED');
    const tampered = await api(suite, 'POST', `/v1/verifications/${id}/check`, {
      body: { code, message: { ...statement, text: 'I order 30 pallets of bricks, delivery 2026-12-01' } },
    });
    expect((tampered.body.cause as { code: string }).code).toBe('MESSAGE_MISMATCH');
    const ok = await api(suite, 'POST', `/v1/verifications/${id}/check`, { body: { code, message: statement } });
    expect(ok.body.status).toBe('approved');
    const digest = createHash('sha256').update(statement.text).digest('hex');
    expect(ok.body.message).toEqual({ digest, reference: 'PO-1042' });
    const db = openDatabase(suite.databaseUrl, { min: 0, max: 1 });
    const cert = await db('certificates').where({ verification_id: id }).first<{ content_digest: string; outcome: string }>();
    await db.destroy();
    expect(cert).toMatchObject({ content_digest: digest, outcome: 'approved' });
  });
});
