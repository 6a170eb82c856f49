import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { api, readCode } from '../support/http';
import { startSuite, subscribers, type Suite } from '../support/suite';
import { issueTwilioCredentials, twilioClient as clientFor, twilioError } from '../support/twilio-client';

// Applications written against Twilio Verify with the official `twilio` package, unchanged but
// for where they send their requests.
const adminToken = randomBytes(32).toString('base64url');
let suite: Suite;
let account: { accountSid: string; sid: string; secret: string };
let client: twilio.Twilio;
let serviceSid: string;

const twilioClient = (username: string, password: string, accountSid?: string) => clientFor(suite, username, password, accountSid);
const credentials = (kind: 'auth_token' | 'api_key') => issueTwilioCredentials(suite, adminToken, suite.merchant.id, kind);

beforeAll(async () => {
  suite = await startSuite({ env: { ADMIN_TOKENS: `ops:${adminToken}`, RESEND_COOLDOWN_SECONDS: '0' } });
  account = await credentials('auth_token');
  client = twilioClient(account.accountSid, account.secret);
  serviceSid = (await client.verify.v2.services.create({ friendlyName: 'Acme Shop', codeLength: 8 })).sid;
});
afterAll(async () => {
  await suite?.stop();
});
beforeEach(() => {
  suite.sim.inbox.clear();
});

describe('Twilio Verify v2 compatible surface, through the official twilio package', () => {
  it('issues Twilio-shaped credentials and services', async () => {
    expect(account.accountSid).toMatch(/^AC[0-9a-f]{32}$/);
    expect(account.sid).toBe(account.accountSid);
    const service = await client.verify.v2.services(serviceSid).fetch();
    expect(service).toMatchObject({ sid: serviceSid, accountSid: account.accountSid, friendlyName: 'Acme Shop', codeLength: 8 });
    expect(service.sid).toMatch(/^VA[0-9a-f]{32}$/);
  });

  it('sends a code with verifications.create and approves it with verificationChecks.create', async () => {
    const verification = await client.verify.v2
      .services(serviceSid)
      .verifications.create({ to: subscribers.alice.address, channel: 'sms' });
    expect(verification).toMatchObject({
      serviceSid,
      accountSid: account.accountSid,
      to: subscribers.alice.address,
      channel: 'sms',
      status: 'pending',
      valid: false,
    });
    expect(verification.sid).toMatch(/^VE[0-9a-f]{32}$/);
    const sms = await readCode(suite, subscribers.alice.address);
    expect(sms).toMatch(/^\d{8}$/); // the service's CodeLength
    const text = suite.sim.inbox.list(subscribers.alice.address)[0]?.text ?? '';
    expect(text).toContain('Acme Shop');

    const wrong = await client.verify.v2
      .services(serviceSid)
      .verificationChecks.create({ to: subscribers.alice.address, code: '00000000' });
    expect(wrong).toMatchObject({ status: 'pending', valid: false, sid: verification.sid });
    const check = await client.verify.v2.services(serviceSid).verificationChecks.create({ to: subscribers.alice.address, code: sms });
    expect(check).toMatchObject({ sid: verification.sid, status: 'approved', valid: true });
    const fetched = await client.verify.v2.services(serviceSid).verifications(verification.sid).fetch();
    expect(fetched.status).toBe('approved');
    // Approved: no pending verification is left to check.
    expect(
      await twilioError(client.verify.v2.services(serviceSid).verificationChecks.create({ to: subscribers.alice.address, code: sms })),
    ).toMatchObject({ status: 404, code: 20404 });
  });

  it('binds the code to Amount and Payee (PSD2) and checks by VerificationSid', async () => {
    const svc = client.verify.v2.services(serviceSid);
    const v = await svc.verifications.create({ to: subscribers.bob.address, channel: 'sms', amount: '€39.99', payee: 'Acme Shop' });
    expect(v).toMatchObject({ amount: '€39.99', payee: 'Acme Shop' });
    const code = await readCode(suite, subscribers.bob.address);
    expect(suite.sim.inbox.list(subscribers.bob.address)[0]?.text).toContain('39.99');
    const tampered = await svc.verificationChecks.create({ verificationSid: v.sid, code, amount: '€399.90', payee: 'Acme Shop' });
    expect(tampered).toMatchObject({ status: 'pending', valid: false });
    const ok = await svc.verificationChecks.create({ verificationSid: v.sid, code, amount: '€39.99', payee: 'Acme Shop' });
    expect(ok).toMatchObject({ status: 'approved', valid: true, amount: '€39.99', payee: 'Acme Shop' });
  });

  it('resends on the same verification when the number has one pending, up to 5 sends (60203)', async () => {
    const svc = client.verify.v2.services(serviceSid);
    const first = await svc.verifications.create({ to: subscribers.alice.address, channel: 'sms' });
    for (let i = 0; i < 4; i += 1) {
      expect((await svc.verifications.create({ to: subscribers.alice.address, channel: 'sms' })).sid).toBe(first.sid);
    }
    await readCode(suite, subscribers.alice.address, 5);
    expect(await twilioError(svc.verifications.create({ to: subscribers.alice.address, channel: 'sms' }))).toMatchObject({
      status: 429,
      code: 60203,
    });
    const canceled = await svc.verifications(first.sid).update({ status: 'canceled' });
    expect(canceled.status).toBe('canceled');
  });

  it('stops after 5 wrong codes with max_attempts_reached, then 60202', async () => {
    const svc = client.verify.v2.services(serviceSid);
    const v = await svc.verifications.create({ to: subscribers.bob.address, channel: 'sms' });
    const statuses = [];
    for (let i = 0; i < 5; i += 1) {
      statuses.push((await svc.verificationChecks.create({ verificationSid: v.sid, code: `1234567${i}` })).status);
    }
    expect(statuses).toEqual(['pending', 'pending', 'pending', 'pending', 'max_attempts_reached']);
    expect(await twilioError(svc.verificationChecks.create({ verificationSid: v.sid, code: '12345678' }))).toMatchObject({
      status: 429,
      code: 60202,
    });
  });

  it("approves a login on the merchant's word (Status=approved), never a payment", async () => {
    const svc = client.verify.v2.services(serviceSid);
    const login = await svc.verifications.create({ to: subscribers.alice.address, channel: 'sms' });
    expect((await svc.verifications(login.sid).update({ status: 'approved' })).status).toBe('approved');
    const payment = await svc.verifications.create({ to: subscribers.bob.address, channel: 'sms', amount: '5.00 EUR', payee: 'Acme' });
    expect(await twilioError(svc.verifications(payment.sid).update({ status: 'approved' }))).toMatchObject({ status: 400, code: 60200 });
  });

  it('answers Twilio error codes: 20003 bad credentials, 20404 unknown ids, 60200 bad parameters', async () => {
    const stranger = twilioClient(`AC${'0'.repeat(32)}`, 'f'.repeat(32));
    expect(await twilioError(stranger.verify.v2.services(serviceSid).fetch())).toMatchObject({
      status: 401,
      code: 20003,
      moreInfo: 'https://www.twilio.com/docs/errors/20003',
    });
    const wrongToken = twilioClient(account.accountSid, 'f'.repeat(32));
    expect((await twilioError(wrongToken.verify.v2.services(serviceSid).fetch())).code).toBe(20003);
    expect(await twilioError(client.verify.v2.services(`VA${'0'.repeat(32)}`).fetch())).toMatchObject({ status: 404, code: 20404 });
    expect(
      await twilioError(
        client.verify.v2
          .services(serviceSid)
          .verifications(`VE${'0'.repeat(32)}`)
          .fetch(),
      ),
    ).toMatchObject({ status: 404, code: 20404 });
    const svc = client.verify.v2.services(serviceSid);
    expect(await twilioError(svc.verifications.create({ to: subscribers.alice.address, channel: 'call' }))).toMatchObject({
      status: 400,
      code: 60200,
    });
    expect(
      await twilioError(svc.verifications.create({ to: subscribers.alice.address, channel: 'sms', customCode: '123456' })),
    ).toMatchObject({ status: 400, code: 60200 });
    expect(
      await twilioError(svc.verifications.create({ to: subscribers.alice.address, channel: 'sms', amount: 'lots', payee: 'x' })),
    ).toMatchObject({ status: 400, code: 60200 });
  });

  it('authenticates with an API key SID and secret, with the account SID beside', async () => {
    const key = await credentials('api_key');
    expect(key.sid).toMatch(/^SK[0-9a-f]{32}$/);
    const viaKey = twilioClient(key.sid, key.secret, key.accountSid);
    expect((await viaKey.verify.v2.services(serviceSid).fetch()).sid).toBe(serviceSid);
  });

  it('keeps other merchants out of a service', async () => {
    const other = await api(suite, 'PUT', '/admin/v1/merchants/other-shop', { token: adminToken, body: { name: 'Other' } });
    expect(other.status).toBe(200);
    const issued = await api(suite, 'POST', '/admin/v1/merchants/other-shop/twilio-credentials', { token: adminToken, body: {} });
    const creds = issued.body.credentials as { accountSid: string; secret: string };
    const outsider = twilioClient(creds.accountSid, creds.secret);
    expect((await twilioError(outsider.verify.v2.services(serviceSid).fetch())).code).toBe(20404);
  });
});
