import jwt from 'jsonwebtoken';
import { MerchantAuthenticator } from './merchant-auth';
import { MerchantKeyCache } from './merchant-key-cache';

const secret = Buffer.alloc(32, 9).toString('base64');
const keys = new MerchantKeyCache(
  (merchantId) => Promise.resolve({ merchantId, active: true, keys: [{ kid: 'k1', alg: 'HS256' as const, key: secret }] }),
  60_000,
);
const sign = (claims: jwt.SignOptions = {}) =>
  `Bearer ${jwt.sign({}, Buffer.from(secret, 'base64'), { algorithm: 'HS256', issuer: 'm1', audience: 'outband', expiresIn: 60, keyid: 'k1', ...claims })}`;
const options = { audience: 'outband', maxLifetimeSeconds: 300, clockSkewSeconds: 30 };

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
