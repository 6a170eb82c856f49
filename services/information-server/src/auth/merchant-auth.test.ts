import { createHmac } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { MerchantAuthenticator } from './merchant-auth';
import { MerchantKeyCache } from './merchant-key-cache';

const secret = Buffer.alloc(32, 9).toString('base64');
const keys = new MerchantKeyCache(
  (merchantId) => Promise.resolve({ merchantId, active: true, keys: [{ kid: 'k1', alg: 'HS256' as const, key: secret }] }),
  60_000,
);
const sign = (claims: jwt.SignOptions = {}, payload: object = {}) =>
  `Bearer ${jwt.sign(payload, Buffer.from(secret, 'base64'), { algorithm: 'HS256', issuer: 'm1', audience: 'outband', expiresIn: 60, keyid: 'k1', ...claims })}`;
const options = { audience: 'outband', maxLifetimeSeconds: 300, clockSkewSeconds: 30 };
const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('MerchantAuthenticator with requireJti', () => {
  it('refuses a token without a jti and accepts one with it', async () => {
    const auth = new MerchantAuthenticator(keys, { ...options, requireJti: true });
    await expect(auth.authenticate(sign())).rejects.toMatchObject({ code: 'TOKEN_JTI_REQUIRED' });
    await expect(auth.authenticate(sign({ jwtid: 'a1' }))).resolves.toBe('m1');
  });

  it('accepts a token without a jti when not required', async () => {
    await expect(new MerchantAuthenticator(keys, options).authenticate(sign())).resolves.toBe('m1');
  });
});

describe('MerchantAuthenticator replay window', () => {
  it('remembers a jti until exp plus the clock skew, as long as the token is accepted', async () => {
    const until: number[] = [];
    const guard = { firstUse: (_issuer: string, _jti: string, s: number) => Promise.resolve(until.push(s) === 1) };
    const auth = new MerchantAuthenticator(keys, options, guard);
    const token = sign({ jwtid: 'r1' });
    const exp = (jwt.decode(token.slice(7)) as { exp: number }).exp;
    await expect(auth.authenticate(token)).resolves.toBe('m1');
    expect(until).toEqual([exp + 30]);
    await expect(auth.authenticate(token)).rejects.toMatchObject({ code: 'TOKEN_REPLAYED' });
  });
});

describe('MerchantAuthenticator iat', () => {
  const auth = new MerchantAuthenticator(keys, options);

  it('refuses a token issued further ahead than the clock skew', async () => {
    const ahead = sign({}, { iat: nowSeconds() + 120 });
    await expect(auth.authenticate(ahead)).rejects.toMatchObject({ kind: 'unauthorized', code: 'TOKEN_ISSUED_IN_FUTURE' });
  });

  it('accepts an iat within the skew, and refuses one that is not a number', async () => {
    await expect(auth.authenticate(sign({}, { iat: nowSeconds() + 20 }))).resolves.toBe('m1');
    // jsonwebtoken refuses to sign such a claim: the token is assembled by hand.
    const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
    const body = `${part({ alg: 'HS256', typ: 'JWT', kid: 'k1' })}.${part({ iss: 'm1', aud: 'outband', exp: nowSeconds() + 60, iat: 'yesterday' })}`;
    const mac = createHmac('sha256', Buffer.from(secret, 'base64')).update(body).digest('base64url');
    await expect(auth.authenticate(`Bearer ${body}.${mac}`)).rejects.toMatchObject({ code: 'TOKEN_INVALID' });
  });
});
