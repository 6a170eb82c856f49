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
