import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { FailureCounter, PendingSecretStore, RangeBlocks, ReverseCodes } from '@outband/data-server';
import { TokenReplayGuard } from '@outband/information-server';
import { inMemoryTtlStore, RateLimiter } from '@outband/redis-limits';
import { eventually } from '../support/http';
import { servers } from '../support/suite';

/**
 * One suite for the stores that keep pending secrets, limits and markers under a TTL, run against
 * Redis and against the in-memory store of the embedded default: the default is not a toy that
 * behaves differently.
 */
const stores: Array<[string, () => Redis]> = [
  ['Redis', () => new Redis(servers.redis, { enableAutoPipelining: true })],
  ['the in-memory store', () => inMemoryTtlStore()],
];

describe.each(stores)('TTL store conformance: %s', (_name, open) => {
  let redis: Redis;
  let prefix: string;
  beforeAll(() => {
    redis = open();
  });
  beforeEach(() => {
    prefix = `outband-ttl-${randomBytes(4).toString('hex')}`;
  });
  afterAll(() => {
    redis.disconnect();
  });

  const secret = (id: string, now: Date, ttlMs = 60_000) => ({
    verificationId: id,
    mac: 'a'.repeat(64),
    bindingHash: 'b'.repeat(64),
    maxAttempts: 3,
    expiresAt: new Date(now.getTime() + ttlMs),
  });

  it('checks a pending secret once: wrong codes count, the right one approves, then it is final', async () => {
    const store = new PendingSecretStore(redis, { prefix });
    const now = new Date();
    await store.put(secret('ve_1', now), now);
    expect(await store.check('ve_1', 'c'.repeat(64), 'b'.repeat(64), now)).toEqual({
      kind: 'mismatch',
      attempts: 1,
      attemptsLeft: 2,
      bindingMatched: true,
    });
    expect(await store.check('ve_1', 'a'.repeat(64), 'x'.repeat(64), now)).toMatchObject({ kind: 'mismatch', bindingMatched: false });
    expect(await store.check('ve_1', 'a'.repeat(64), 'b'.repeat(64), now)).toEqual({ kind: 'approved', attempts: 2 });
    expect(await store.check('ve_1', 'a'.repeat(64), 'b'.repeat(64), now)).toEqual({ kind: 'final', state: 'approved' });
  });

  it('burns a secret at its last wrong attempt, expires it, and fails closed when it is gone', async () => {
    const store = new PendingSecretStore(redis, { prefix });
    const now = new Date();
    await store.put(secret('ve_2', now), now);
    for (let i = 0; i < 2; i++) {
      await store.check('ve_2', 'c'.repeat(64), 'b'.repeat(64), now);
    }
    expect(await store.check('ve_2', 'c'.repeat(64), 'b'.repeat(64), now)).toMatchObject({ kind: 'burned', attempts: 3 });
    expect(await store.check('ve_2', 'a'.repeat(64), 'b'.repeat(64), now)).toEqual({ kind: 'final', state: 'max_attempts_reached' });
    await store.put(secret('ve_3', now, 1000), now);
    expect(await store.check('ve_3', 'a'.repeat(64), 'b'.repeat(64), new Date(now.getTime() + 1000))).toEqual({
      kind: 'final',
      state: 'expired',
    });
    expect(await store.check('ve_never', 'a'.repeat(64), 'b'.repeat(64), now)).toEqual({ kind: 'final', state: 'expired' });
    // The key itself goes when its TTL runs out.
    await store.put(secret('ve_4', now, 200), now);
    const key = store.keysOf('ve_4')[0];
    expect(await redis.exists(key)).toBe(1);
    await eventually(async () => ((await redis.exists(key)) === 0 ? true : undefined), 5000);
  });

  it('replaces a pending code on resend within the rules, and cancels', async () => {
    const store = new PendingSecretStore(redis, { prefix });
    const now = new Date();
    await store.put(secret('ve_5', now), now);
    expect(await store.resend('ve_5', 'd'.repeat(64), 'b'.repeat(64), now, 30_000, 3)).toMatchObject({ kind: 'too_soon' });
    const later = new Date(now.getTime() + 31_000);
    expect(await store.resend('ve_5', 'd'.repeat(64), 'x'.repeat(64), later, 30_000, 3)).toEqual({ kind: 'mismatch' });
    expect(await store.resend('ve_5', 'd'.repeat(64), 'b'.repeat(64), later, 30_000, 3)).toEqual({ kind: 'replaced', sends: 2 });
    expect(await store.check('ve_5', 'a'.repeat(64), 'b'.repeat(64), later)).toMatchObject({ kind: 'mismatch' });
    expect(await store.cancel('ve_5')).toBe('canceled');
    expect(await store.check('ve_5', 'd'.repeat(64), 'b'.repeat(64), later)).toEqual({ kind: 'final', state: 'canceled' });
  });

  it('limits hits in a sliding window and says when to come back', async () => {
    const limiter = new RateLimiter(redis, prefix);
    const now = new Date();
    for (let i = 0; i < 3; i++) {
      expect(await limiter.hit('sends', '+33612345678', 3, 60_000, new Date(now.getTime() + i))).toEqual({
        allowed: true,
        remaining: 2 - i,
      });
    }
    expect(await limiter.hit('sends', '+33612345678', 3, 60_000, new Date(now.getTime() + 10))).toEqual({
      allowed: false,
      retryAfterSeconds: 60,
    });
    expect(await limiter.hit('sends', '+33612345678', 3, 60_000, new Date(now.getTime() + 60_001))).toMatchObject({ allowed: true });
    expect(await limiter.hit('sends', '+4915112345678', 3, 60_000, now)).toMatchObject({ allowed: true });
  });

  it('blocks a subscriber at the failure limit until reset, counting blocks', async () => {
    const failures = new FailureCounter(redis, prefix, 3, 900);
    expect(await failures.add(7)).toBe(0);
    expect(await failures.add(7)).toBe(0);
    expect(await failures.blockedFor(7)).toBe(0);
    expect(await failures.add(7)).toBe(1);
    expect(await failures.blockedFor(7)).toBeGreaterThan(890);
    await failures.reset(7);
    expect(await failures.blockedFor(7)).toBe(0);
  });

  it('keeps number-range blocks, reverse codes and token ids once, each for its time', async () => {
    const blocks = new RangeBlocks(redis, prefix);
    expect(await blocks.blockedFor('336123')).toBe(0);
    await blocks.block('336123', 600, new Date());
    expect(await blocks.blockedFor('336123')).toBeGreaterThan(590);

    const reverse = new ReverseCodes(redis, prefix);
    expect(await reverse.claim('h1', 've_a', 60_000)).toBe(true);
    expect(await reverse.claim('h1', 've_b', 60_000)).toBe(false);
    expect(await reverse.find('h1')).toBe('ve_a');
    await reverse.release('h1');
    expect(await reverse.find('h1')).toBeUndefined();
    expect(await reverse.claim('h2', 've_c', 100)).toBe(true);
    await eventually(async () => ((await reverse.find('h2')) === undefined ? true : undefined), 5000);

    const replay = new TokenReplayGuard(redis, prefix);
    const exp = Math.floor(Date.now() / 1000) + 60;
    expect(await replay.firstUse('shop', 'jti-1', exp)).toBe(true);
    expect(await replay.firstUse('shop', 'jti-1', exp)).toBe(false);
    expect(await replay.firstUse('other-shop', 'jti-1', exp)).toBe(true);
  });
});
