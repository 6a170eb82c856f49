import { randomBytes, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import jwt from 'jsonwebtoken';
import { MerchantAuthenticator, MerchantKeyCache, TokenReplayGuard } from '@outband/information-server';
import { inMemoryTtlStore } from '@outband/redis-limits';
import { servers } from '../support/suite';

// A token is accepted until `exp` + clock skew: its jti must be remembered as long, on Redis and
// on the embedded default's in-memory store alike.
const secret = randomBytes(32).toString('base64');
const keys = new MerchantKeyCache(
  (merchantId) => Promise.resolve({ merchantId, active: true, keys: [{ kid: 'k1', alg: 'HS256' as const, key: secret }] }),
  60_000,
);
const options = { audience: 'outband', maxLifetimeSeconds: 300, clockSkewSeconds: 30 };
const sign = (exp: number, jti: string) =>
  `Bearer ${jwt.sign({ exp, iat: exp - 60 }, Buffer.from(secret, 'base64'), { algorithm: 'HS256', issuer: 'shop', audience: 'outband', keyid: 'k1', jwtid: jti })}`;

describe('token replay within the clock skew', () => {
  afterEach(() => {
    jest.restoreAllMocks();
  });

  it('refuses a token replayed after its exp but within the skew (in-memory store, clock moved)', async () => {
    const store = inMemoryTtlStore();
    const auth = new MerchantAuthenticator(keys, options, new TokenReplayGuard(store, `t-${randomUUID()}`));
    const t0 = Date.now();
    const now = jest.spyOn(Date, 'now').mockReturnValue(t0);
    const token = sign(Math.floor(t0 / 1000) + 10, randomUUID());
    await expect(auth.authenticate(token)).resolves.toBe('shop');
    // 20 s later: past exp, within the 30 s skew, so jsonwebtoken still accepts the signature.
    now.mockReturnValue(t0 + 20_000);
    await expect(auth.authenticate(token)).rejects.toMatchObject({ code: 'TOKEN_REPLAYED' });
    now.mockReturnValue(t0 + 45_000);
    await expect(auth.authenticate(token)).rejects.toMatchObject({ code: 'TOKEN_EXPIRED' });
    store.disconnect();
  });

  it('keeps the jti in Redis until exp + skew, even for a token already past its exp', async () => {
    const redis = new Redis(servers.redis);
    const prefix = `outband-replay-${randomBytes(4).toString('hex')}`;
    try {
      const auth = new MerchantAuthenticator(keys, options, new TokenReplayGuard(redis, prefix));
      const exp = Math.floor(Date.now() / 1000) - 5;
      const token = sign(exp, 'late-1');
      await expect(auth.authenticate(token)).resolves.toBe('shop');
      const ttl = await redis.pttl(`${prefix}:jti:{shop}:late-1`);
      // Accepted until (exp + 30 s): about 25 s from now, never the 1 s floor.
      expect(ttl).toBeGreaterThan((exp + 30) * 1000 - Date.now() - 1000);
      await expect(auth.authenticate(token)).rejects.toMatchObject({ code: 'TOKEN_REPLAYED' });
    } finally {
      await redis.del(`${prefix}:jti:{shop}:late-1`);
      redis.disconnect();
    }
  });
});
