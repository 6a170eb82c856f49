import { randomBytes } from 'node:crypto';
import twilio from 'twilio';
import { fromBase32, totp } from '@outband/otp';
import { api, readCode } from '../support/http';
import { startSuite, subscribers, type Suite } from '../support/suite';
import { issueTwilioCredentials, twilioClient, twilioError } from '../support/twilio-client';

// Twilio Verify's TOTP factors, challenges, verification attempts and service management, driven
// by the official `twilio` package, unchanged but for where it sends its requests.
const adminToken = randomBytes(32).toString('base64url');
let suite: Suite;
let client: twilio.Twilio;
let serviceSid: string;

beforeAll(async () => {
  suite = await startSuite({ env: { ADMIN_TOKENS: `ops:${adminToken}` } });
  const account = await issueTwilioCredentials(suite, adminToken, suite.merchant.id);
  client = twilioClient(suite, account.accountSid, account.secret);
  serviceSid = (await client.verify.v2.services.create({ friendlyName: 'Acme Shop' })).sid;
});
afterAll(async () => {
  await suite?.stop();
});

const now = () => Date.now() / 1000;
const service = () => client.verify.v2.services(serviceSid);

describe('Twilio Verify TOTP factors through the official twilio package', () => {
  it('enrols a factor for an entity, verifies it, and approves a challenge once per code', async () => {
    const entity = await service().entities.create({ identity: 'user-7f3a' });
    expect(entity).toMatchObject({ identity: 'user-7f3a', serviceSid });
    expect(entity.sid).toMatch(/^YE[0-9a-f]{32}$/);

    const factor = await service().entities('user-7f3a').newFactors.create({ friendlyName: 'My phone', factorType: 'totp' });
    expect(factor).toMatchObject({
      identity: 'user-7f3a',
      entitySid: entity.sid,
      status: 'unverified',
      factorType: 'totp',
      friendlyName: 'My phone',
    });
    expect(factor.sid).toMatch(/^YF[0-9a-f]{32}$/);
    const binding = factor.binding as { secret: string; uri: string };
    expect(binding.uri).toMatch(/^otpauth:\/\/totp\/.+:My%20phone\?secret=/);
    const secret = fromBase32(binding.secret);

    const wrong = await service()
      .entities('user-7f3a')
      .factors(factor.sid)
      .update({ authPayload: '000000' === totp(secret, now()) ? '111111' : '000000' });
    expect(wrong.status).toBe('unverified');
    const verified = await service()
      .entities('user-7f3a')
      .factors(factor.sid)
      .update({ authPayload: totp(secret, now()) });
    expect(verified.status).toBe('verified');
    expect((verified as unknown as { binding?: unknown }).binding).toBeUndefined();

    // The confirm used this step's code: a challenge takes the next one (the app a little ahead).
    const code = totp(secret, now() + 30);
    const approved = await service().entities('user-7f3a').challenges.create({ factorSid: factor.sid, authPayload: code });
    expect(approved).toMatchObject({
      status: 'approved',
      factorSid: factor.sid,
      identity: 'user-7f3a',
      entitySid: entity.sid,
      factorType: 'totp',
    });
    expect(approved.sid).toMatch(/^YC[0-9a-f]{32}$/);
    // The same code again: its step is used.
    const replayed = await service().entities('user-7f3a').challenges.create({ factorSid: factor.sid, authPayload: code });
    expect(replayed.status).toBe('pending');
    const fetched = await service().entities('user-7f3a').challenges(replayed.sid).fetch();
    expect(fetched.status).toBe('pending');
    const challenges = await service().entities('user-7f3a').challenges.list();
    expect(challenges.map((c) => c.sid).sort()).toEqual([approved.sid, replayed.sid].sort());
    expect((await service().entities('user-7f3a').challenges.list({ status: 'approved' })).map((c) => c.sid)).toEqual([approved.sid]);

    // Wrong codes count as any check's: the fifth burns the challenge.
    let last = replayed;
    for (let i = 0; i < 4; i++) {
      last = await service()
        .entities('user-7f3a')
        .challenges(replayed.sid)
        .update({ authPayload: '000000' === code ? '111111' : '000000' });
    }
    expect(last.status).toBe('denied');

    expect((await service().entities('user-7f3a').factors.list()).map((f) => f.sid)).toEqual([factor.sid]);
    expect((await service().entities.list()).map((e) => e.identity)).toContain('user-7f3a');
    expect(await service().entities('user-7f3a').factors(factor.sid).remove()).toBe(true);
    expect(await twilioError(service().entities('user-7f3a').factors(factor.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
    expect(await service().entities('user-7f3a').factors.list()).toEqual([]);
    expect(
      await twilioError(
        service()
          .entities('user-7f3a')
          .challenges.create({ factorSid: factor.sid, authPayload: totp(secret, now()) }),
      ),
    ).toMatchObject({ status: 404, code: 20404 });
    expect(await service().entities('user-7f3a').remove()).toBe(true);
    expect(await twilioError(service().entities('user-7f3a').fetch())).toMatchObject({ status: 404 });
  });

  it("creates a factor's entity with it, and keeps services and merchants apart", async () => {
    const factor = await service().entities('user-9c1d').newFactors.create({ friendlyName: 'Tablet', factorType: 'totp' });
    expect((await service().entities('user-9c1d').fetch()).sid).toBe(factor.entitySid);
    // Unverified: a challenge is refused until a first code confirms it.
    expect(
      await twilioError(service().entities('user-9c1d').challenges.create({ factorSid: factor.sid, authPayload: '123456' })),
    ).toMatchObject({
      status: 409,
    });
    // Another service of the same merchant does not see it.
    const other = (await client.verify.v2.services.create({ friendlyName: 'Other' })).sid;
    expect(await twilioError(client.verify.v2.services(other).entities('user-9c1d').factors(factor.sid).fetch())).toMatchObject({
      status: 404,
    });
    // Only TOTP factors, with the settings every app reads.
    expect(await twilioError(service().entities('user-9c1d').newFactors.create({ friendlyName: 'x', factorType: 'push' }))).toMatchObject({
      status: 400,
      code: 60200,
    });
    expect(
      await twilioError(
        service().entities('user-9c1d').newFactors.create({ friendlyName: 'x', factorType: 'totp', 'config.codeLength': 8 }),
      ),
    ).toMatchObject({ status: 400 });
  });

  it('lists, updates and deletes services', async () => {
    const created = await client.verify.v2.services.create({ friendlyName: 'To delete' });
    const listed = await client.verify.v2.services.list();
    expect(listed.map((s) => s.sid)).toEqual(expect.arrayContaining([serviceSid, created.sid]));
    const updated = await client.verify.v2.services(created.sid).update({ friendlyName: 'Renamed', codeLength: 8 });
    expect(updated).toMatchObject({ friendlyName: 'Renamed', codeLength: 8 });
    expect(await twilioError(client.verify.v2.services(created.sid).update({ codeLength: 4 }))).toMatchObject({ status: 400, code: 60200 });
    expect(await client.verify.v2.services(created.sid).remove()).toBe(true);
    expect(await twilioError(client.verify.v2.services(created.sid).fetch())).toMatchObject({ status: 404, code: 20404 });
    expect((await client.verify.v2.services.list()).map((s) => s.sid)).not.toContain(created.sid);
  });
});

describe('Twilio Verify attempts through the official twilio package', () => {
  it('lists the attempts of a service or a number and sums their conversion', async () => {
    const attempted = (await client.verify.v2.services.create({ friendlyName: 'Attempts' })).sid;
    const verify = client.verify.v2.services(attempted);
    suite.sim.inbox.clear();
    const first = await verify.verifications.create({ to: subscribers.alice.address, channel: 'sms' });
    const code = await readCode(suite, subscribers.alice.address, 1);
    expect((await verify.verificationChecks.create({ to: subscribers.alice.address, code })).status).toBe('approved');
    const second = await verify.verifications.create({ to: subscribers.alice.address, channel: 'sms' });
    const third = await verify.verifications.create({ to: subscribers.bob.address, channel: 'sms' });

    const all = await client.verify.v2.verificationAttempts.list({ verifyServiceSid: attempted });
    expect(all.map((a) => a.verificationSid).sort()).toEqual([first.sid, second.sid, third.sid].sort());
    expect(all.find((a) => a.verificationSid === first.sid)).toMatchObject({
      conversionStatus: 'converted',
      channel: 'sms',
      serviceSid: attempted,
    });
    expect(all.find((a) => a.verificationSid === second.sid)?.conversionStatus).toBe('unconverted');
    const alice = await client.verify.v2.verificationAttempts.list({
      verifyServiceSid: attempted,
      'channelData.to': subscribers.alice.address,
    });
    expect(alice.map((a) => a.verificationSid).sort()).toEqual([first.sid, second.sid].sort());
    const converted = await client.verify.v2.verificationAttempts.list({ verifyServiceSid: attempted, status: 'converted' });
    expect(converted.map((a) => a.verificationSid)).toEqual([first.sid]);
    // The package follows the pages.
    expect(await client.verify.v2.verificationAttempts.list({ verifyServiceSid: attempted, pageSize: 2 })).toHaveLength(3);
    const one = all[0]!;
    expect((await client.verify.v2.verificationAttempts(one.sid).fetch()).verificationSid).toBe(one.verificationSid);

    const summary = await client.verify.v2.verificationAttemptsSummary().fetch({ verifyServiceSid: attempted });
    expect(summary).toMatchObject({ totalAttempts: 3, totalConverted: 1, totalUnconverted: 2, conversionRatePercentage: '33.33' });
    const none = await client.verify.v2
      .verificationAttemptsSummary()
      .fetch({ verifyServiceSid: attempted, dateCreatedAfter: new Date(Date.now() + 3_600_000) });
    expect(none).toMatchObject({ totalAttempts: 0, conversionRatePercentage: '0.00' });
    expect(await twilioError(client.verify.v2.verificationAttemptsSummary().fetch({ country: 'FR' }))).toMatchObject({ status: 400 });
    expect(await twilioError(client.verify.v2.verificationAttempts(`VL${'0'.repeat(32)}`).fetch())).toMatchObject({ status: 404 });
  });
});

describe('the native API beside it', () => {
  it("does not show a Twilio service's factors among the merchant's own", async () => {
    await service().entities('user-4b2e').newFactors.create({ friendlyName: 'Phone', factorType: 'totp' });
    expect((await api(suite, 'GET', '/v1/factors?identifier=user-4b2e')).body).toEqual({ factors: [] });
  });
});
