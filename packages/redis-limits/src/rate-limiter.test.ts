import { inMemoryTtlStore } from './in-memory-ttl-store';
import { RateLimiter } from './rate-limiter';

// The sliding window's script, read from its .lua file, on the embedded default's store (fengari).
it('allows `limit` hits per window, then says how long to wait', async () => {
  const limiter = new RateLimiter(inMemoryTtlStore(), `t${Date.now()}`);
  const now = new Date('2030-01-01T00:00:00Z');
  expect(await limiter.hit('send', 'k', 2, 10_000, now)).toEqual({ allowed: true, remaining: 1 });
  expect(await limiter.hit('send', 'k', 2, 10_000, new Date(now.getTime() + 1000))).toEqual({ allowed: true, remaining: 0 });
  expect(await limiter.hit('send', 'k', 2, 10_000, new Date(now.getTime() + 2000))).toEqual({
    allowed: false,
    retryAfterSeconds: 8,
  });
  expect(await limiter.hit('send', 'k', 2, 10_000, new Date(now.getTime() + 10_001))).toEqual({ allowed: true, remaining: 0 });
});

it('counts a hit in every window of a key, or in none when one of them is full', async () => {
  const limiter = new RateLimiter(inMemoryTtlStore(), `t${Date.now()}`);
  const now = new Date('2030-01-01T00:00:00Z');
  const later = (ms: number) => new Date(now.getTime() + ms);
  const tiers = [
    { name: 'merchant-s', limit: 2, windowMs: 1000 },
    { name: 'merchant-d', limit: 3, windowMs: 86_400_000 },
  ];
  expect(await limiter.hitAll('shop', tiers, now)).toEqual({ allowed: true, remaining: 1 });
  expect(await limiter.hitAll('shop', tiers, now)).toEqual({ allowed: true, remaining: 0 });
  // The second is full: the day does not count this one.
  expect(await limiter.hitAll('shop', tiers, later(500))).toEqual({ allowed: false, retryAfterSeconds: 1 });
  expect(await limiter.hitAll('shop', tiers, later(1000))).toEqual({ allowed: true, remaining: 0 });
  // Now the day is full, and says how long until its first hit leaves it.
  expect(await limiter.hitAll('shop', tiers, later(2000))).toEqual({ allowed: false, retryAfterSeconds: 86_398 });
  // The windows are the ones `hit` counts in, by the same names.
  expect(await limiter.hit('merchant-d', 'shop', 4, 86_400_000, later(3000))).toEqual({ allowed: true, remaining: 0 });
});
