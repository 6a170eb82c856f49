import { TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('allows a burst, then one token per 1/rate seconds', () => {
    const b = new TokenBucket(10, 2, 0);
    expect(b.take(0).ok).toBe(true);
    expect(b.take(0).ok).toBe(true);
    expect(b.take(0)).toEqual({ ok: false, waitMs: 100 });
    expect(b.take(50)).toEqual({ ok: false, waitMs: 50 });
    expect(b.take(100).ok).toBe(true);
  });

  it('never saves more than the burst', () => {
    const b = new TokenBucket(100, 3, 0);
    for (let i = 0; i < 3; i++) {
      b.take(0);
    }
    const taken = [1, 2, 3, 4].map(() => b.take(60_000).ok);
    expect(taken).toEqual([true, true, true, false]);
  });
});
