import { randomBytes } from 'node:crypto';
import { openDatabase } from '@outband/db';
import { fromBase32, totp } from '@outband/otp';
import { Outband } from '@outband/sdk';
import { api, type Answer } from '../support/http';
import { secondMerchant, secondMerchantSeed } from '../support/second-merchant';
import { startSuite, type Suite } from '../support/suite';

// An authenticator app as a factor (RFC 6238 TOTP): enrolled with a secret shown once, confirmed
// by a first code, then approving logins through the verification API like any code.
let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({ seed: [secondMerchantSeed()] });
});
afterAll(async () => {
  await suite?.stop();
});

const now = () => Date.now() / 1000;
const createFactor = (identifier: string, o: { token?: string } = {}) =>
  api(suite, 'POST', '/v1/factors', { body: { identifier, type: 'totp' }, ...o });
const confirm = (id: unknown, code: string) => api(suite, 'POST', `/v1/factors/${String(id)}/confirm`, { body: { code } });
const startTotp = (identifier: string) => api(suite, 'POST', '/v1/verifications', { body: { identifier, channel: 'totp' } });
const check = (id: unknown, code: string) => api(suite, 'POST', `/v1/verifications/${String(id)}/check`, { body: { code } });
const secretOf = (created: Answer) => fromBase32((created.body.binding as { secret: string }).secret);
const otherThan = (code: string) => (code === '000000' ? '111111' : '000000');
// The confirm used the current step: a login takes the next one (the app's clock a little ahead).
const nextCode = (secret: Buffer) => totp(secret, now() + 30);
const otherToken = () => suite.token({ secret: secondMerchant.secret, issuer: secondMerchant.id, jwtid: randomBytes(8).toString('hex') });

/** Enrols and confirms a factor for `identifier`; answers its secret. */
async function enrolled(identifier: string): Promise<{ id: string; secret: Buffer }> {
  const created = await createFactor(identifier);
  expect(created.status).toBe(201);
  const secret = secretOf(created);
  expect((await confirm(created.body.id, totp(secret, now()))).body).toMatchObject({ status: 'verified' });
  return { id: String(created.body.id), secret };
}

async function factorRow(id: string): Promise<{ sealed_secret: string; used_step: number | null } | undefined> {
  const db = openDatabase(suite.databaseUrl, { min: 0, max: 1 });
  try {
    return await db('factors').where({ id }).first('sealed_secret', 'used_step');
  } finally {
    await db.destroy();
  }
}

describe('an authenticator factor (TOTP)', () => {
  it('is enrolled with its secret shown once, sealed at rest, and verified by its first code', async () => {
    const created = await createFactor('alice');
    expect(created.status).toBe(201);
    expect(created.headers.get('cache-control')).toBe('no-store');
    const binding = created.body.binding as { uri: string; secret: string; qr: { svg: string; png: string } };
    expect(created.body).toMatchObject({ status: 'unverified', type: 'totp', identifier: 'alice', label: 'alice' });
    expect(binding.uri).toMatch(/^otpauth:\/\/totp\/[^:]+:alice\?secret=[A-Z2-7]{32}&issuer=[^&]+&algorithm=SHA1&digits=6&period=30$/);
    expect(binding.uri).toContain(`secret=${binding.secret}`);
    expect(binding.qr.svg).toMatch(/^<svg[^>]*xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(binding.qr.png).toMatch(/^data:image\/png;base64,/);
    const secret = secretOf(created);
    expect(secret).toHaveLength(20);
    const row = await factorRow(String(created.body.id));
    expect(row?.sealed_secret).not.toContain(secret.toString('hex'));
    expect(row?.sealed_secret).not.toContain(binding.secret);

    // Read back, the secret is never shown again.
    const read = await api(suite, 'GET', `/v1/factors/${String(created.body.id)}`);
    expect(read.body).toMatchObject({ status: 'unverified' });
    expect(read.body.binding).toBeUndefined();

    const code = totp(secret, now());
    const wrong = await confirm(created.body.id, otherThan(code));
    expect(wrong.body).toMatchObject({ status: 'unverified', cause: { code: 'CODE_MISMATCH' } });
    const right = await confirm(created.body.id, code);
    expect(right.body).toMatchObject({ status: 'verified', verifiedAt: expect.any(String) as string });

    const listed = await api(suite, 'GET', '/v1/factors?identifier=alice');
    expect(listed.body.factors).toEqual([expect.objectContaining({ id: created.body.id, status: 'verified' })]);
    expect((await createFactor('alice')).body).toMatchObject({ status: 409, code: 'FACTOR_EXISTS' });
  });

  it('approves a login with a fresh code, and a code only once', async () => {
    const { secret } = await enrolled('bob');
    const started = await startTotp('bob');
    expect(started.status).toBe(201);
    expect(started.body).toMatchObject({ status: 'pending', channel: 'totp', attemptsLeft: 5 });
    expect(started.body.delivery).toBeUndefined();
    // The confirm's code is used: it approves nothing more.
    const confirmed = totp(secret, now());
    const code = nextCode(secret);
    expect((await check(started.body.id, confirmed)).body).toMatchObject({ status: 'pending', cause: { code: 'CODE_MISMATCH' } });
    expect((await check(started.body.id, code)).body).toMatchObject({ status: 'approved' });

    // The same code in another verification: its time step is used.
    const again = await startTotp('bob');
    const replayed = await check(again.body.id, code);
    expect(replayed.status).toBe(200);
    expect(replayed.body).toMatchObject({ status: 'pending', attemptsLeft: 4, cause: { code: 'CODE_MISMATCH' } });
  });

  it('counts wrong codes as any check does, until the verification is burned', async () => {
    const { secret } = await enrolled('dora');
    const started = await startTotp('dora');
    const wrong = otherThan(totp(secret, now()));
    for (let left = 4; left >= 1; left--) {
      expect((await check(started.body.id, wrong)).body).toMatchObject({ status: 'pending', attemptsLeft: left });
    }
    const last = await check(started.body.id, wrong);
    expect(last.body).toMatchObject({ status: 'max_attempts_reached', cause: { code: 'TOO_MANY_ATTEMPTS' } });
    // Burned: the right code no longer approves it.
    const after = await check(started.body.id, totp(secret, now()));
    expect(after.status).toBe(409);
    expect(after.body).toMatchObject({ code: 'TOO_MANY_ATTEMPTS' });
  });

  it('answers alike for an identifier without a factor, and nothing approves it', async () => {
    const { secret } = await enrolled('erik');
    const withFactor = await startTotp('erik');
    const without = await startTotp(`nobody-${randomBytes(4).toString('hex')}`);
    expect(without.status).toBe(withFactor.status);
    expect(Object.keys(without.body).sort()).toEqual(Object.keys(withFactor.body).sort());
    // Erik's own code is right for erik's verification and wrong for the other.
    const code = nextCode(secret);
    expect((await check(without.body.id, code)).body).toMatchObject({ cause: { code: 'CODE_MISMATCH' } });
    expect((await check(withFactor.body.id, code)).body).toMatchObject({ status: 'approved' });
  });

  it('stops approving once deleted, and belongs to its merchant alone', async () => {
    const { id, secret } = await enrolled('fay');
    expect((await api(suite, 'GET', `/v1/factors/${id}`, { token: otherToken() })).body).toMatchObject({ code: 'FACTOR_NOT_FOUND' });
    expect((await api(suite, 'DELETE', `/v1/factors/${id}`, { token: otherToken() })).body).toMatchObject({ code: 'FACTOR_NOT_FOUND' });
    const theirs = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'fay', channel: 'totp' }, token: otherToken() });
    const checkedByOther = await api(suite, 'POST', `/v1/verifications/${String(theirs.body.id)}/check`, {
      body: { code: nextCode(secret) },
      token: otherToken(),
    });
    expect(checkedByOther.body).toMatchObject({ cause: { code: 'CODE_MISMATCH' } });

    expect((await api(suite, 'DELETE', `/v1/factors/${id}`)).body).toMatchObject({ status: 'deleted' });
    const started = await startTotp('fay');
    expect((await check(started.body.id, nextCode(secret))).body).toMatchObject({ cause: { code: 'CODE_MISMATCH' } });
    expect((await api(suite, 'GET', '/v1/factors?identifier=fay')).body).toEqual({ factors: [] });
  });

  it('approves nothing for a suspended subscriber, and answers alike', async () => {
    // carol is suspended: her start is a decoy, and her factor's fresh code does not approve it.
    const { secret } = await enrolled('carol');
    const started = await startTotp('carol');
    expect(started.status).toBe(201);
    expect((await check(started.body.id, nextCode(secret))).body).toMatchObject({ status: 'pending', cause: { code: 'CODE_MISMATCH' } });
  });

  it('fails a new factor after five wrong first codes, whatever comes next', async () => {
    const created = await createFactor('hal');
    const secret = secretOf(created);
    const wrong = otherThan(totp(secret, now()));
    const tries = await Promise.all(Array.from({ length: 7 }, () => confirm(created.body.id, wrong)));
    // Tried at once, they still take five attempts at most.
    expect(tries.filter((t) => (t.body.cause as { code?: string } | undefined)?.code === 'CODE_MISMATCH')).toHaveLength(5);
    expect((await api(suite, 'GET', `/v1/factors/${String(created.body.id)}`)).body).toMatchObject({ status: 'failed' });
    expect((await confirm(created.body.id, totp(secret, now()))).body).toMatchObject({ status: 'failed' });
  });

  it('is for logins: a transaction is approved by a code shown with it', async () => {
    const refused = await api(suite, 'POST', '/v1/verifications', {
      body: { identifier: 'alice', channel: 'totp', purpose: 'transaction', transaction: { amount: 100, currency: 'EUR', payee: 'Shop' } },
    });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ code: 'INVALID_INPUT' });
    expect(
      (await api(suite, 'POST', `/v1/verifications/${String((await startTotp('alice')).body.id)}/resend`, { body: {} })).body,
    ).toMatchObject({
      code: 'CHANNEL_UNSUPPORTED',
    });
    expect((await api(suite, 'GET', '/v1/factors')).body).toMatchObject({ status: 400, code: 'INVALID_INPUT' });
    expect((await api(suite, 'POST', `/v1/factors/fa_${'0'.repeat(32)}/confirm`, { body: { code: '123456' } })).body).toMatchObject({
      code: 'FACTOR_NOT_FOUND',
    });
  });

  it('works through the SDK', async () => {
    const sdk = new Outband({
      baseUrl: suite.baseUrl,
      merchantId: suite.merchant.id,
      key: { kid: suite.merchant.kid, alg: 'HS256', secret: suite.merchant.secret },
      retryBaseMs: 10,
    });
    const created = await sdk.factors.create({ identifier: 'gus', type: 'totp', label: 'Gus at the shop' });
    expect(created.binding?.uri).toContain(':Gus%20at%20the%20shop?');
    const secret = fromBase32(created.binding!.secret);
    expect(await sdk.factors.confirm(created.id, { code: totp(secret, now()) })).toMatchObject({ status: 'verified' });
    const v = await sdk.verifications.start({ identifier: 'gus', channel: 'totp' });
    expect(await sdk.verifications.check(v.id, { code: nextCode(secret) })).toMatchObject({ status: 'approved' });
    expect((await sdk.factors.list('gus')).factors).toHaveLength(1);
  });
});
