import { randomBytes } from 'node:crypto';
import type twilio from 'twilio';
import { api, readCode } from '../support/http';
import { startSuite, subscribers, type Suite } from '../support/suite';
import { issueTwilioCredentials, twilioClient, twilioError } from '../support/twilio-client';

// What a Twilio client must not be able to do through the compatible surface: weaken codes,
// probe malformed numbers for decoys, or spend another service's attempts.
const adminToken = randomBytes(32).toString('base64url');
let suite: Suite;
let client: twilio.Twilio;

async function admin(method: string, path: string, body: unknown) {
  return api(suite, method, `/admin/v1${path}`, { token: adminToken, body });
}

beforeAll(async () => {
  suite = await startSuite({ env: { ADMIN_TOKENS: `ops:${adminToken}`, RESEND_COOLDOWN_SECONDS: '0' } });
  const account = await issueTwilioCredentials(suite, adminToken, suite.merchant.id);
  client = twilioClient(suite, account.accountSid, account.secret);
});
afterAll(async () => {
  await suite?.stop();
});
beforeEach(() => {
  suite.sim.inbox.clear();
});

describe('CodeLength cannot undercut the minimum', () => {
  it('refuses a CodeLength under 6 with 60200 and defaults to 6', async () => {
    for (const codeLength of [4, 5]) {
      expect(await twilioError(client.verify.v2.services.create({ friendlyName: 'Weak', codeLength }))).toMatchObject({
        status: 400,
        code: 60200,
        message: expect.stringContaining('CodeLength') as unknown,
      });
    }
    expect((await client.verify.v2.services.create({ friendlyName: 'Default' })).codeLength).toBe(6);
    expect((await client.verify.v2.services.create({ friendlyName: 'Long', codeLength: 7 })).codeLength).toBe(7);
  });

  it("holds to the merchant policy's length, also for services created before it was raised", async () => {
    expect((await admin('PUT', '/merchants/strict-shop', { name: 'Strict' })).status).toBe(200);
    const creds = await issueTwilioCredentials(suite, adminToken, 'strict-shop');
    const strict = twilioClient(suite, creds.accountSid, creds.secret);
    const earlier = await strict.verify.v2.services.create({ friendlyName: 'Earlier', codeLength: 6 });

    expect((await admin('PUT', '/merchants/strict-shop/policy', { codeLength: 8 })).status).toBe(200);
    expect(await twilioError(strict.verify.v2.services.create({ friendlyName: 'Short', codeLength: 6 }))).toMatchObject({
      status: 400,
      code: 60200,
    });
    expect((await strict.verify.v2.services.create({ friendlyName: 'Default' })).codeLength).toBe(8);
    await strict.verify.v2.services(earlier.sid).verifications.create({ to: subscribers.alice.address, channel: 'sms' });
    expect(await readCode(suite, subscribers.alice.address)).toMatch(/^\d{8}$/);
  });
});

describe('To must be a well-formed number or identifier', () => {
  it('refuses malformed numbers with 60200 instead of a decoy', async () => {
    const svc = client.verify.v2.services((await client.verify.v2.services.create({ friendlyName: 'Shop' })).sid);
    for (const to of ['+12', '+999123456789x', '+0612345678', '+1234567890123456']) {
      expect(await twilioError(svc.verifications.create({ to, channel: 'sms' }))).toMatchObject({ status: 400, code: 60200 });
      expect(await twilioError(svc.verificationChecks.create({ to, code: '123456' }))).toMatchObject({ status: 400, code: 60200 });
    }
    // What could be a real number or identifier still gets the no-enumeration decoy.
    expect((await svc.verifications.create({ to: '+33600000099', channel: 'sms' })).status).toBe('pending');
    expect((await svc.verifications.create({ to: 'nobody-here', channel: 'sms' })).status).toBe('pending');
  });
});

describe('a check through another service leaves the verification untouched', () => {
  it('answers 20404 by VerificationSid or To, spends no attempt and approves nothing', async () => {
    const own = client.verify.v2.services((await client.verify.v2.services.create({ friendlyName: 'Own' })).sid);
    const other = client.verify.v2.services((await client.verify.v2.services.create({ friendlyName: 'Other' })).sid);
    const v = await own.verifications.create({ to: subscribers.bob.address, channel: 'sms' });
    const code = await readCode(suite, subscribers.bob.address);

    const wrong = code === '000000' ? '111111' : '000000';
    for (let i = 0; i < 5; i += 1) {
      expect(await twilioError(other.verificationChecks.create({ verificationSid: v.sid, code: wrong }))).toMatchObject({
        status: 404,
        code: 20404,
      });
    }
    expect(await twilioError(other.verificationChecks.create({ verificationSid: v.sid, code }))).toMatchObject({
      status: 404,
      code: 20404,
    });
    expect(await twilioError(other.verificationChecks.create({ to: subscribers.bob.address, code }))).toMatchObject({
      status: 404,
      code: 20404,
    });

    expect((await own.verifications(v.sid).fetch()).status).toBe('pending');
    // All attempts are left: four wrong codes still leave room for the right one.
    for (let i = 0; i < 4; i += 1) {
      expect((await own.verificationChecks.create({ verificationSid: v.sid, code: wrong })).status).toBe('pending');
    }
    expect(await own.verificationChecks.create({ verificationSid: v.sid, code })).toMatchObject({ status: 'approved', valid: true });
  });
});
