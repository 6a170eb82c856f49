import { openDatabase } from '@outband/db';
import { api, eventually, readCode, waitForInbox } from '../support/http';
import { setPolicy } from '../support/payments';
import { startSuite, subscribers, type Suite } from '../support/suite';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({ env: { REGISTERED_RETENTION_SECONDS: '5', PAYMENT_SWEEP_SECONDS: '1' } });
});
afterAll(async () => {
  await suite?.stop();
});
beforeEach(() => {
  suite.sim.inbox.clear();
});

const secret = 'Contract 2026-118: the price is 48,300 EUR, delivery on 3 December.';
const attachment = { name: 'contract.pdf', contentType: 'application/pdf', base64: Buffer.from('%PDF-1.7 not really').toString('base64') };
const deposit = () =>
  api(suite, 'POST', '/v1/registered-messages', {
    body: { from: 'alice', to: { address: subscribers.bob.address }, content: { subject: 'Contract', text: secret, attachment } },
  });
const act = (id: string, action: string, code?: string) =>
  api(suite, 'POST', `/v1/registered-messages/${id}/${action}`, { body: code ? { code } : {} });

describe('registered messages', () => {
  it('goes round: the sender confirms, the addressee is alerted, opens it with a code, the sender is told', async () => {
    const sent = await deposit();
    expect(sent.status).toBe(201);
    expect(sent.body).toMatchObject({ state: 'awaiting_confirmation', from: 'alice', to: expect.stringMatching(/78$/) });
    const id = sent.body.id as string;
    const [certificate] = await waitForInbox(suite, subscribers.alice.address, 1);
    expect(certificate?.text).toContain(`Send a registered message to bob (${(sent.body.digest as string).slice(0, 8)})`);
    const confirmed = await act(id, 'confirm', await readCode(suite, subscribers.alice.address, 1));
    expect(confirmed.body.state).toBe('deposited');
    const [alert] = await waitForInbox(suite, subscribers.bob.address, 1);
    expect(alert?.text).toContain('a registered message awaits you');
    expect(alert?.text).not.toContain('48,300');

    const retrieval = await act(id, 'retrieve');
    expect(retrieval.body.retrievalVerificationId).toMatch(/^ve_/);
    const code = await readCode(suite, subscribers.bob.address, 2);
    const opened = await act(id, 'open', code);
    expect(opened.body).toMatchObject({ state: 'retrieved', content: { subject: 'Contract', text: secret, attachment } });
    const told = await waitForInbox(suite, subscribers.alice.address, 2);
    expect(told[1]?.text).toContain('was opened by its addressee');
    // Opened once: the code is used, the content is not handed out again.
    expect((await act(id, 'open', code)).body.code).toBe('REGISTERED_MESSAGE_STATE');
  });

  it('keeps the content closed on a wrong retrieval code', async () => {
    const id = (await deposit()).body.id as string;
    await act(id, 'confirm', await readCode(suite, subscribers.alice.address, 1));
    await act(id, 'retrieve');
    const code = await readCode(suite, subscribers.bob.address, 2);
    const wrong = await act(id, 'open', code === '000000' ? '111111' : '000000');
    expect(wrong.status).toBe(200);
    expect(wrong.body.cause).toMatchObject({ code: 'CODE_MISMATCH' });
    expect(wrong.body.content).toBeUndefined();
    expect(wrong.body.state).toBe('deposited');
  });

  it('stores the content sealed: MySQL never holds the text or the attachment', async () => {
    const id = (await deposit()).body.id as string;
    const db = openDatabase(suite.databaseUrl, { min: 0, max: 1 });
    try {
      const row = (await db('registered_messages').where({ id }).first()) as Record<string, unknown>;
      const dump = JSON.stringify(row);
      expect(dump).not.toContain('48,300');
      expect(dump).not.toContain(attachment.base64);
      expect(row.sealed_content).toMatch(/^k1\./);
    } finally {
      await db.destroy();
    }
    await waitForInbox(suite, subscribers.alice.address, 1); // its code, before the next test
  });

  it('deletes the content after the retention period', async () => {
    const id = (await deposit()).body.id as string;
    await act(id, 'confirm', await readCode(suite, subscribers.alice.address, 1));
    expect((await api(suite, 'GET', `/v1/registered-messages/${id}`)).body.contentDeletedAt).toBeUndefined();
    // REGISTERED_RETENTION_SECONDS is 5 in this suite; the sweep runs every second.
    const read = await eventually(async () => {
      const res = await api(suite, 'GET', `/v1/registered-messages/${id}`);
      return res.body.contentDeletedAt === undefined ? undefined : res;
    }, 15_000);
    expect(read.body.contentDeletedAt).toEqual(expect.any(String));
    await act(id, 'retrieve');
    const code = await readCode(suite, subscribers.bob.address, 2);
    expect((await act(id, 'open', code)).body.code).toBe('CONTENT_DELETED');
  });

  it('refuses an unknown addressee and a content over the size limit', async () => {
    const unknown = await api(suite, 'POST', '/v1/registered-messages', {
      body: { from: 'alice', to: { address: '+33655599999' }, content: { text: 'hello' } },
    });
    expect(unknown.body.code).toBe('ADDRESSEE_UNKNOWN');
    const big = await api(suite, 'POST', '/v1/registered-messages', {
      body: {
        from: 'alice',
        to: { identifier: 'bob' },
        content: { text: 'x'.repeat(20_000), attachment: { ...attachment, base64: Buffer.alloc(300_000).toString('base64') } },
      },
    });
    expect(big.status).toBe(400);
    expect(big.body.code).toBe('CONTENT_TOO_LARGE');
  });

  it('books a per-verification fee for each approved certificate, as for any verification', async () => {
    await setPolicy(suite, { billingMode: 'per_verification', billingValue: 7, billingCurrency: 'EUR' });
    const period = new Date().toISOString().slice(0, 7);
    const fees = async () => {
      const body = (await api(suite, 'GET', `/v1/settlements?period=${period}`)).body;
      return (body.verificationFees as Array<{ verifications: number }>)[0]?.verifications ?? 0;
    };
    const before = await fees();
    const id = (await deposit()).body.id as string;
    expect((await act(id, 'confirm', await readCode(suite, subscribers.alice.address, 1))).body.state).toBe('deposited');
    expect(await fees()).toBe(before + 1);
    await act(id, 'retrieve');
    expect((await act(id, 'open', await readCode(suite, subscribers.bob.address, 2))).body.state).toBe('retrieved');
    expect(await fees()).toBe(before + 2);
    await setPolicy(suite, { billingMode: 'amount' });
  });
});
