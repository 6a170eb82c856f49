import { openDatabase } from '@outband/db';
import { Outband } from '@outband/sdk';
import { api, readCode, waitForInbox } from '../support/http';
import { secondMerchant, secondMerchantSeed } from '../support/second-merchant';
import { startSuite, subscribers, type Suite } from '../support/suite';

// Enrolment with proof of possession: a code goes to the number, and only its holder's confirm
// certifies it for the identifier.
let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({ seed: [secondMerchantSeed()] });
});
afterAll(async () => {
  await suite?.stop();
});
beforeEach(() => suite.sim.inbox.clear());

const sdk = () =>
  new Outband({
    baseUrl: suite.baseUrl,
    merchantId: suite.merchant.id,
    key: { kid: suite.merchant.kid, alg: 'HS256', secret: suite.merchant.secret },
    retryBaseMs: 10,
  });
const enrol = (identifier: string, address: string) => api(suite, 'POST', '/v1/enrolments', { body: { identifier, address } });
const confirm = (id: unknown, code: string) => api(suite, 'POST', `/v1/enrolments/${String(id)}/confirm`, { body: { code } });

async function subscriberRow(identifier: string) {
  const db = openDatabase(suite.databaseUrl, { min: 0, max: 1 });
  try {
    return await db('subscribers')
      .where({ identifier })
      .first<{ address: string; certified_at: Date | null; certified_by: string | null; address_changed_at: Date | null } | undefined>(
        'address',
        'certified_at',
        'certified_by',
        'address_changed_at',
      );
  } finally {
    await db.destroy();
  }
}

async function audited(kind: string): Promise<string[]> {
  const db = openDatabase(suite.databaseUrl, { min: 0, max: 1 });
  try {
    return (await db('audit_events').where({ kind }).orderBy('id').select<Array<{ outcome: string }>>('outcome')).map((r) => r.outcome);
  } finally {
    await db.destroy();
  }
}

describe('enrolment with proof of possession', () => {
  it('certifies a new identifier once the number types back the code it received', async () => {
    const address = '+33611122233';
    const started = await enrol('dave', address);
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ status: 'pending', identifier: 'dave', to: '+33 6 •• •• •• 33', attemptsLeft: 5 });
    const [text] = await waitForInbox(suite, address, 1);
    expect(text?.text).toMatch(/confirm "use this number for your account" with code \d{6}/);
    const code = await readCode(suite, address, 1);

    const wrong = await confirm(started.body.id, code === '000000' ? '111111' : '000000');
    expect(wrong.body).toMatchObject({ status: 'pending', attemptsLeft: 4, cause: { code: 'CODE_MISMATCH' } });
    expect(await subscriberRow('dave')).toBeUndefined();

    const confirmed = await confirm(started.body.id, code);
    expect(confirmed.status).toBe(200);
    expect(confirmed.body).toMatchObject({ status: 'confirmed', confirmedAt: expect.any(String) as string });
    expect(await subscriberRow('dave')).toMatchObject({ address, certified_by: `merchant:${suite.merchant.id}` });
    expect((await subscriberRow('dave'))?.certified_at).not.toBeNull();
    expect(await audited('subscriber.certified')).toContain('enrolled');
    // The certified number now receives the identifier's codes.
    await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'dave' } });
    await waitForInbox(suite, address, 2);
  });

  it('moves its own enrolment to a new number: the old handset is told, and transactions wait the cool-down', async () => {
    const [first, second] = ['+33622233344', '+33633344455'];
    const a = await enrol('erin', first);
    await confirm(a.body.id, await readCode(suite, first, 1));
    const b = await sdk().enrolments.start({ identifier: 'erin', address: second });
    const confirmed = await sdk().enrolments.confirm(b.id, { code: await readCode(suite, second, 1) });
    expect(confirmed.status).toBe('confirmed');
    expect(await subscriberRow('erin')).toMatchObject({ address: second });
    const notice = await waitForInbox(suite, first, 2);
    expect(notice[1]?.text).toMatch(/your codes will now go to another number/);

    const pay = await api(suite, 'POST', '/v1/verifications', {
      body: { identifier: 'erin', purpose: 'transaction', transaction: { amount: 1000, currency: 'EUR', payee: 'Shop' } },
    });
    expect(pay.status).toBe(403);
    expect(pay.body).toMatchObject({ code: 'ADDRESS_RECENTLY_CHANGED', retryAfterSeconds: expect.any(Number) as number });
    expect(await audited('verification.refused')).toContain('address_recently_changed');
    // A login is not a transaction: it goes to the new number.
    expect((await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'erin' } })).status).toBe(201);
    await waitForInbox(suite, second, 2);
  });

  it("does not let a merchant take over an identifier the operator certified, even at the identifier's own number", async () => {
    // alice types the code her own phone got: the merchant would then own her identifier.
    const started = await enrol('alice', subscribers.alice.address);
    const refused = await confirm(started.body.id, await readCode(suite, subscribers.alice.address, 1));
    expect(refused.body).toMatchObject({ code: 'ENROLMENT_REFUSED' });
    expect(await subscriberRow('alice')).toMatchObject({ certified_by: null });
  });

  it('certifies once when two confirms of one enrolment race, and refuses to resend its code', async () => {
    const address = '+33677788899';
    const started = await enrol('gail', address);
    const code = await readCode(suite, address, 1);
    const both = await Promise.all([confirm(started.body.id, code), confirm(started.body.id, code)]);
    expect(both.map((b) => b.body.status)).toEqual(['confirmed', 'confirmed']);
    const db = openDatabase(suite.databaseUrl, { min: 0, max: 1 });
    try {
      const rows = await db('audit_events').where({ kind: 'subscriber.certified', verification_id: String(started.body.verificationId) });
      expect(rows).toHaveLength(1);
    } finally {
      await db.destroy();
    }
    const resend = await api(suite, 'POST', `/v1/verifications/${String(started.body.verificationId)}/resend`, { body: {} });
    expect(resend.body).toMatchObject({ code: 'CHANNEL_UNSUPPORTED' });
  });

  it("does not let a merchant move a number the operator certified, even with the new number's code", async () => {
    const attacker = '+33644455566';
    const started = await enrol('alice', attacker);
    expect(started.status).toBe(201);
    const refused = await confirm(started.body.id, await readCode(suite, attacker, 1));
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'ENROLMENT_REFUSED' });
    expect(await subscriberRow('alice')).toMatchObject({ address: subscribers.alice.address });
    expect((await api(suite, 'GET', `/v1/enrolments/${String(started.body.id)}`)).body).toMatchObject({ status: 'failed' });
  });

  it("keeps one merchant's enrolments from another, and refuses bad input with a clear error", async () => {
    const started = await enrol('frank', '+33655566677');
    const other = await api(suite, 'GET', `/v1/enrolments/${String(started.body.id)}`, {
      token: suite.token({ secret: secondMerchant.secret, issuer: secondMerchant.id }),
    });
    expect(other.status).toBe(404);
    expect(other.body).toMatchObject({ code: 'ENROLMENT_NOT_FOUND' });
    expect((await api(suite, 'GET', '/v1/enrolments/en_nope')).body).toMatchObject({ code: 'ENROLMENT_NOT_FOUND' });
    const bad = await enrol('frank', '0655566677');
    expect(bad.status).toBe(400);
    expect(bad.contentType).toContain('application/problem+json');
    // The merchant typed the number: a premium-rate one is refused openly, nothing sent.
    const premium = await enrol('frank', '+33899123456');
    expect(premium.status).toBe(403);
    expect(premium.body).toMatchObject({ code: 'ADDRESS_PREMIUM_RATE' });
  });
});
