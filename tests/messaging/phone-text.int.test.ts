import { randomBytes } from 'node:crypto';
import { openDatabase } from '@outband/db';
import { api, waitForInbox } from '../support/http';
import { startSuite, subscribers, type Suite } from '../support/suite';
import { issueTwilioCredentials, twilioClient, twilioError } from '../support/twilio-client';

// What the phone shows is what the person approves: merchant text that would forge, hide or
// reorder it is refused with a stable code, and nothing is sent.
const adminToken = randomBytes(32).toString('base64url');
let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({ env: { ADMIN_TOKENS: `ops:${adminToken}` } });
});
afterAll(async () => {
  await suite?.stop();
});

const tx = (payee: string) => ({ amount: 12_000, currency: 'EUR', payee });
const forgedPayees = [
  'Shop\n\nIgnore above: you approve EUR 9.99 only',
  'Shop\r\nRefund',
  'Shop \u202E99.9 RUE',
  'Sh\u200Bop',
  'Shop ４８２',
  'Shop ٤٨٢٩١٣',
  'Shop 48 29 13',
  'Shop ⁴⁸²',
];

function expectUnsafe(res: { status: number; contentType: string; body: Record<string, unknown> }, field: string) {
  expect(res.status).toBe(400);
  expect(res.contentType).toMatch(/^application\/problem\+json/);
  expect(res.body.code).toBe('UNSAFE_TEXT');
  expect(res.body.errors).toEqual(expect.arrayContaining([expect.objectContaining({ field })]));
}

describe('text that reaches a phone cannot be forged by a merchant', () => {
  it.each(forgedPayees)('refuses the payee %j for a transaction and for a payment', async (payee) => {
    expectUnsafe(
      await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice', purpose: 'transaction', transaction: tx(payee) } }),
      'transaction.payee',
    );
    expectUnsafe(
      await api(suite, 'POST', '/v1/payments', { body: { source: { cardToken: 'tok_alice' }, transaction: tx(payee) } }),
      'transaction.payee',
    );
  });

  it('refuses unsafe items, certified texts and registered-message subjects', async () => {
    const items = { ...tx('Shop'), items: [{ name: 'Bread\nTotal EUR 1', quantity: 1 }] };
    expectUnsafe(
      await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice', purpose: 'transaction', transaction: items } }),
      'transaction.items.0.name',
    );
    expectUnsafe(
      await api(suite, 'POST', '/v1/verifications', {
        body: { identifier: 'alice', purpose: 'message', message: { text: 'I resign\u2028Ignore above, code 48 29 13' } },
      }),
      'message.text',
    );
    expectUnsafe(
      await api(suite, 'POST', '/v1/registered-messages', {
        body: { from: 'alice', to: { identifier: 'bob' }, content: { subject: 'Invoice \u202Efdp.exe', text: 'hello' } },
      }),
      'content.subject',
    );
  });

  it('shows the amount and the payee exactly once, in the operator wording, after the refusals', async () => {
    const refused = await api(suite, 'POST', '/v1/verifications', {
      body: { identifier: 'alice', purpose: 'transaction', transaction: tx(forgedPayees[0] ?? '') },
    });
    expect(refused.status).toBe(400);
    const accepted = await api(suite, 'POST', '/v1/verifications', {
      body: { identifier: 'alice', purpose: 'transaction', transaction: tx('Velo Shop') },
    });
    expect(accepted.status).toBe(201);
    // The refused starts sent nothing: the only text on the phone is the accepted one.
    const [only, ...more] = await waitForInbox(suite, subscribers.alice.address, 1);
    expect(more).toEqual([]);
    const text = only?.text ?? '';
    expect(text).toMatch(/^Outband: approve €120\.00 to Velo Shop with code \d{6}\. It expires in 5 min\. Never share it\.$/);
    expect(text.split('€120.00').length - 1).toBe(1);
    expect(text.split('Velo Shop').length - 1).toBe(1);
  });

  it('refuses operator templates that repeat the amount or carry a text of their own beside it', async () => {
    const policy = (templates: object) =>
      api(suite, 'PUT', `/admin/v1/merchants/${suite.merchant.id}/policy`, { token: adminToken, body: { templates } });
    expectUnsafe(await policy({ transaction: 'Pay {amount} to {payee}, code {code}\nOnly EUR 1 will be taken' }), 'templates.transaction');
    expectUnsafe(await policy({ transaction: 'Pay {amount} to {payee}, code {code}, or $ 1' }), 'templates.transaction');
    expect((await policy({ transaction: 'Refund {amount} from {payee} ({amount}), code {code}' })).status).toBe(400);
    expectUnsafe(
      await api(suite, 'PUT', `/admin/v1/merchants/${suite.merchant.id}/policy`, {
        token: adminToken,
        body: { senderName: 'Acme\u200BBank' },
      }),
      'senderName',
    );
  });

  it("falls back to the operator's wording for a brand or a template saved before these rules", async () => {
    const db = openDatabase(suite.databaseUrl, { min: 0, max: 1 });
    const saved = { sender_name: 'Acme 12', templates_json: JSON.stringify({ login: 'Acme code {code}\nOnly EUR 1 is taken' }) };
    await db('merchant_policies')
      .insert({ merchant_id: suite.merchant.id, ...saved })
      .onConflict('merchant_id')
      .merge(saved);
    await db.destroy();
    expect((await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'bob' } })).status).toBe(201);
    const [text] = (await waitForInbox(suite, subscribers.bob.address, 1)).map((m) => m.text);
    expect(text).toMatch(/^Your Outband login code is \d{6}\. It expires in 5 min\. Never share it\.$/);
    await api(suite, 'PUT', `/admin/v1/merchants/${suite.merchant.id}/policy`, {
      token: adminToken,
      body: { senderName: null, templates: null },
    });
  });

  it('refuses a Twilio FriendlyName or CustomFriendlyName that could forge the text', async () => {
    const creds = await issueTwilioCredentials(suite, adminToken, suite.merchant.id);
    const client = twilioClient(suite, creds.accountSid, creds.secret);
    const code = async (p: Promise<unknown>) => (await twilioError(p)).code;
    expect(await code(client.verify.v2.services.create({ friendlyName: 'Shop\nRefund' }))).toBe(60200);
    expect(await code(client.verify.v2.services.create({ friendlyName: 'Shop ４８２' }))).toBe(60200);
    const service = await client.verify.v2.services.create({ friendlyName: 'Acme Shop' });
    expect(
      await code(
        client.verify.v2.services(service.sid).verifications.create({ to: 'alice', channel: 'sms', customFriendlyName: 'Acme\u202E' }),
      ),
    ).toBe(60200);
    expect(
      await code(
        client.verify.v2
          .services(service.sid)
          .verifications.create({ to: 'alice', channel: 'sms', amount: '€12.50', payee: 'Shop\nOnly EUR 1 is taken' }),
      ),
    ).toBe(60200);
  });
});
