import { randomBytes } from 'node:crypto';
import { openDatabase } from '@outband/db';
import { api, readCode, waitForInbox } from '../support/http';
import { issuedOutcome } from '../support/audit';
import { startSuite, type Suite } from '../support/suite';
import { laterMessage } from '../support/signals';

const token = randomBytes(32).toString('base64url');
let suite: Suite;
beforeAll(async () => {
  // Policies kept for a minute: a change through the admin API must still apply to the next start.
  suite = await startSuite({ env: { ADMIN_TOKENS: `ops-ann:${token}`, MERCHANT_KEY_CACHE_MS: '0', MERCHANT_POLICY_CACHE_MS: '60000' } });
});
afterAll(async () => {
  await suite?.stop();
});

const admin = (method: string, path: string, body?: object, as: string | null = token) =>
  api(suite, method, `/admin/v1${path}`, { token: as, ...(body ? { body } : {}) });

describe('admin API (operators)', () => {
  it('refuses merchant tokens and unknown operator tokens', async () => {
    expect((await admin('GET', '/merchants', undefined, suite.token())).body.code).toBe('OPERATOR_AUTH_INVALID');
    expect((await admin('GET', '/merchants', undefined, 'x'.repeat(40))).status).toBe(401);
    expect((await admin('GET', '/merchants', undefined, null)).status).toBe(401);
  });

  it('creates merchants and lists them a page at a time with a cursor', async () => {
    for (const id of ['acme-a', 'acme-b', 'acme-c']) {
      expect((await admin('PUT', `/merchants/${id}`, { name: id.toUpperCase() })).status).toBe(200);
    }
    const first = await admin('GET', '/merchants?limit=2');
    expect((first.body.merchants as unknown[]).length).toBe(2);
    const seen = [...(first.body.merchants as Array<{ id: string }>)];
    let cursor = first.body.nextCursor as string | undefined;
    while (cursor) {
      const next = await admin('GET', `/merchants?limit=2&cursor=${cursor}`);
      seen.push(...(next.body.merchants as Array<{ id: string }>));
      cursor = next.body.nextCursor as string | undefined;
    }
    expect(seen.map((m) => m.id)).toEqual(expect.arrayContaining(['acme-a', 'acme-b', 'acme-c', suite.merchant.id]));
    expect(new Set(seen.map((m) => m.id)).size).toBe(seen.length);
  });

  it("sets a merchant's policy, which the next verification obeys", async () => {
    expect((await admin('PUT', `/merchants/${suite.merchant.id}/policy`, { allowedCountries: ['DE'] })).status).toBe(200);
    // A refused number is answered as a decoy is (a refusal would name a subscriber): withheld.
    const refused = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } });
    expect(await issuedOutcome(suite, refused.body.id)).toBe('login:withheld');
    await admin('PUT', `/merchants/${suite.merchant.id}/policy`, { allowedCountries: null });
    expect((await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } })).status).toBe(201);
  });

  it('suspends and reopens a subscriber, and records who did it in the audit trail', async () => {
    expect((await admin('PUT', '/subscribers/dave', { address: '+33655512399' })).status).toBe(200);
    await admin('POST', '/subscribers/dave/suspend');
    // A suspended subscriber gets a decoy: the same answer as ever, and no SMS.
    expect((await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'dave' } })).status).toBe(201);
    expect(suite.sim.inbox.list('+33655512399')).toHaveLength(0);
    await admin('POST', '/subscribers/dave/reopen');
    // Reopened, dave gets a code: it is the first and only message to the handset, so none went while suspended.
    const later = await laterMessage(suite, '+33655512399', 'dave');
    expect(later.inbox).toHaveLength(1);
    expect((await api(suite, 'POST', `/v1/verifications/${later.id}/check`, { body: { code: later.code } })).body.status).toBe('approved');
    const db = openDatabase(suite.databaseUrl, { min: 0, max: 1 });
    try {
      const outcomes = (await db('audit_events').where({ kind: 'admin' }).orderBy('id').select('outcome')).map(
        (r: { outcome: string }) => r.outcome,
      );
      expect(outcomes).toEqual(
        expect.arrayContaining([
          'subscriber.upsert=created@ops-ann',
          'subscriber.status=suspended@ops-ann',
          'subscriber.status=active@ops-ann',
        ]),
      );
    } finally {
      await db.destroy();
    }
  });

  it("rotates a merchant's JWT keys: both work until the old one is retired", async () => {
    const k2 = randomBytes(32).toString('base64');
    expect((await admin('PUT', `/merchants/${suite.merchant.id}/keys/k2`, { alg: 'HS256', key: k2 })).status).toBe(200);
    const withK2 = suite.token({ secret: k2, keyid: 'k2' });
    expect((await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'bob' }, token: withK2 })).status).toBe(201);
    expect((await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'bob' } })).status).toBe(201);
    expect((await admin('DELETE', `/merchants/${suite.merchant.id}/keys/${suite.merchant.kid}`)).status).toBe(200);
    expect((await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'bob' } })).body.code).toBe('TOKEN_INVALID');
    expect((await api(suite, 'GET', '/v1/webhooks', { token: suite.token({ secret: k2, keyid: 'k2' }) })).status).toBe(200);
    // Back as it was, for the other tests.
    await admin('PUT', `/merchants/${suite.merchant.id}/keys/${suite.merchant.kid}`, { alg: 'HS256', key: suite.merchant.secret });
    expect((await admin('PUT', `/merchants/${suite.merchant.id}/keys/k3`, { alg: 'HS256', key: 'c2hvcnQ=' })).status).toBe(400);
    expect((await admin('PUT', `/merchants/${suite.merchant.id}/keys/k3`, { alg: 'RS256', key: 'nope' })).status).toBe(400);
    expect((await admin('DELETE', `/merchants/${suite.merchant.id}/keys/never`)).body.code).toBe('KEY_UNKNOWN');
  });

  it("sends codes of the merchant's length and lifetime, in its own words", async () => {
    // The old policy is read, and kept, first.
    expect((await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'carol' } })).status).toBe(201);
    const policy = await admin('PUT', `/merchants/${suite.merchant.id}/policy`, {
      codeLength: 8,
      codeTtlSeconds: 120,
      senderName: 'Acme Bank',
      templates: { login: 'Acme Bank code: {code} ({minutes} min). We never call to ask for it.' },
    });
    expect(policy.status).toBe(200);
    suite.sim.inbox.clear();
    const v = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } });
    expect(Date.parse(String(v.body.expiresAt)) - Date.parse(String(v.body.createdAt))).toBe(120_000);
    const [sms] = await waitForInbox(suite, '+33612345678');
    expect(sms?.text).toMatch(/^Acme Bank code: \d{8} \(2 min\)\. We never call to ask for it\.$/);
    const tx = await api(suite, 'POST', '/v1/verifications', {
      body: { identifier: 'bob', purpose: 'transaction', transaction: { amount: 1500, currency: 'EUR', payee: 'Shop' } },
    });
    expect(tx.status).toBe(201);
    const [txSms] = await waitForInbox(suite, '+4915112345678');
    expect(txSms?.text).toContain('Acme Bank: approve'); // no transaction template: the built-in text, branded
    const refused = await admin('PUT', `/merchants/${suite.merchant.id}/policy`, { templates: { transaction: 'Code {code}' } });
    expect(refused.status).toBe(400); // a transaction text must show {amount} and {payee}
    await admin('PUT', `/merchants/${suite.merchant.id}/policy`, {
      codeLength: null,
      codeTtlSeconds: null,
      senderName: null,
      templates: null,
    });
  });

  it('tells the old handset when an operator moves a subscriber to another number', async () => {
    await admin('PUT', '/subscribers/erin', { address: '+33655512311' });
    await admin('PUT', '/subscribers/erin', { address: '+33655512322' });
    const [notice] = await waitForInbox(suite, '+33655512311');
    expect(notice?.text).toContain('your codes will now go to another number');
    expect(notice?.text).not.toMatch(/\d{4}/);
    expect(suite.sim.inbox.list('+33655512322')).toHaveLength(0);
  });

  it("proves an operator's change by a code from the new handset, then takes transactions on a second factor where the policy says so", async () => {
    const [first, next] = ['+33655512330', '+33655512333'];
    const transaction = { amount: 2500, currency: 'EUR', payee: 'Shop' };
    const pay = (extra: object = {}) =>
      api(suite, 'POST', '/v1/verifications', { body: { identifier: 'faye', purpose: 'transaction', transaction, ...extra } });
    await admin('PUT', '/subscribers/faye', { address: first });
    // A new subscriber's number is the contract's: nothing to prove.
    expect((await pay()).status).toBe(201);
    await admin('PUT', '/subscribers/faye', { address: next });
    const unproven = await pay();
    expect(unproven.status).toBe(403);
    expect(unproven.body).toMatchObject({ code: 'ADDRESS_NOT_PROVEN' });
    // A login's code, typed back from the new handset, proves its holder asked for the change.
    const login = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'faye' } });
    const proof = await api(suite, 'POST', `/v1/verifications/${String(login.body.id)}/check`, {
      body: { code: await readCode(suite, next) },
    });
    expect(proof.body).toMatchObject({ status: 'approved' });
    // The cool-down follows: refused, and no second factor is taken under the installation's policy.
    expect((await pay({ secondFactor: 'knowledge' })).body).toMatchObject({
      code: 'ADDRESS_RECENTLY_CHANGED',
      secondFactorAccepted: false,
    });
    await admin('PUT', `/merchants/${suite.merchant.id}/policy`, { addressChangeAction: 'second_factor' });
    expect((await pay()).body).toMatchObject({ code: 'ADDRESS_RECENTLY_CHANGED', secondFactorAccepted: true });
    const signed = await pay({ secondFactor: 'knowledge' });
    expect(signed.status).toBe(201);
    const code = await readCode(suite, next, 2);
    const checked = await api(suite, 'POST', `/v1/verifications/${String(signed.body.id)}/check`, { body: { code, transaction } });
    expect(checked.body).toMatchObject({ status: 'approved' });
    expect(await issuedOutcome(suite, signed.body.id)).toBe('transaction:knowledge');
    await admin('PUT', `/merchants/${suite.merchant.id}/policy`, { addressChangeAction: null });
  });

  it('answers bad input with problems', async () => {
    expect((await admin('PUT', '/merchants/bad id!', { name: 'x' })).status).toBe(400);
    expect((await admin('PUT', `/merchants/${suite.merchant.id}/policy`, { serviceChargeBps: 20_000 })).status).toBe(400);
    expect((await admin('POST', '/subscribers/nobody/suspend')).body.code).toBe('SUBSCRIBER_UNKNOWN');
  });
});
