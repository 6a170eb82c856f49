import type { Redis } from 'ioredis';
import { isAppError } from '@outband/errors';
import type { NoticeKind } from '@outband/contracts';
import { inMemoryTtlStore } from '@outband/redis-limits';
import type { AuditEvent } from '../audit/audit-log';
import { verificationRecord } from '../platform/medium-test-db';
import type { Subscriber } from '../subscribers/subscriber.repository';
import type { VerificationRecord } from '../verifications/verification.repository';
import { FailureCounter } from './failure-counter';
import { countFailure, failureKeyOf, holderOf, refuseIfBlocked, type LockoutDeps } from './lockout';

// A medium test on the in-memory TTL store (Redis's commands and expiries in this process). The
// counter takes no clock: its blocks end by the store's own key expiry, which reads Date.now, so
// the tests move Date.now rather than wait.
const limit = 3;
const blockSeconds = 60;
let redis: Redis;
let now: number;
let failures: FailureCounter;
let audited: AuditEvent[];
let notices: Array<{ to: string; notice: NoticeKind }>;
let d: LockoutDeps;

const alice: Subscriber = { id: 7, identifier: 'alice', address: '+33612345678', receiverKind: 'mobile', status: 'active', locale: 'en' };

beforeEach(async () => {
  now = Date.parse('2030-01-01T00:00:00Z');
  jest.spyOn(Date, 'now').mockImplementation(() => now);
  redis = inMemoryTtlStore();
  // One process's connections share one store: start each test empty.
  await redis.flushall();
  failures = new FailureCounter(redis, 'test', limit, blockSeconds);
  audited = [];
  notices = [];
  d = {
    failures,
    audit: { append: (e) => Promise.resolve(void audited.push(e)) },
    subscribers: { findById: (id) => Promise.resolve(id === alice.id ? alice : undefined) },
    sendNotice: (s, notice) => Promise.resolve(void notices.push({ to: s.address, notice })),
    blocksBeforePermanent: 3,
    clock: () => new Date(now),
  };
});
afterEach(() => {
  redis.disconnect();
  jest.restoreAllMocks();
});

function verification(
  merchantId = 'shop',
  holder: { subscriberId: number } | { decoyOf: string } = { subscriberId: alice.id },
): VerificationRecord {
  return verificationRecord({ merchantId, createdAt: new Date(now), ...holder });
}

/** What a start or a check at `v`'s merchant meets: undefined, or the lock's retry-after. */
async function lockOf(v: VerificationRecord): Promise<number | undefined> {
  try {
    await refuseIfBlocked(d, holderOf(v), v.merchantId);
    return undefined;
  } catch (e) {
    if (!isAppError(e) || e.code !== 'SUBSCRIBER_LOCKED') {
      throw e;
    }
    return (e.details as { retryAfterSeconds: number }).retryAfterSeconds;
  }
}

async function fail(v: VerificationRecord, times: number): Promise<void> {
  for (let i = 0; i < times; i++) {
    await countFailure(d, v);
  }
}

describe('the subscriber failure lockout', () => {
  it('blocks at the limit, for the block time, and tells the audit trail', async () => {
    const v = verification();
    await fail(v, limit - 1);
    expect(await lockOf(v)).toBeUndefined();
    expect(audited).toEqual([]);

    await fail(v, 1);
    expect(await lockOf(v)).toBe(blockSeconds);
    expect(audited.map((e) => [e.kind, e.subscriberId, e.outcome])).toEqual([['subscriber.blocked', alice.id, 'temporary:1']]);
    now += 20_000;
    expect(await lockOf(v)).toBe(blockSeconds - 20);
  });

  it('blocks the subscriber at that merchant only', async () => {
    await fail(verification('shop'), limit);
    expect(await lockOf(verification('shop'))).toBe(blockSeconds);
    expect(await lockOf(verification('bank'))).toBeUndefined();
  });

  it('blocks a decoy the same way, and texts nobody', async () => {
    const decoy = verification('shop', { decoyOf: 'abc' });
    await fail(decoy, limit);
    expect(await lockOf(decoy)).toBe(blockSeconds);
    expect(await lockOf(verification('shop'))).toBeUndefined();
    expect(notices).toEqual([]);
  });

  it('lifts the block once it has run, and counts afresh', async () => {
    const v = verification();
    await fail(v, limit + 2); // failures while blocked do not lengthen the block
    now += blockSeconds * 1000 - 1;
    expect(await lockOf(v)).toBe(1);
    now += 1;
    expect(await lockOf(v)).toBeUndefined();
    await fail(v, limit - 1);
    expect(await lockOf(v)).toBeUndefined();
    await fail(v, 1);
    expect(await lockOf(v)).toBe(blockSeconds);
  });

  it('starts over after a success', async () => {
    const v = verification();
    await fail(v, limit - 1);
    await failures.reset(failureKeyOf(v));
    await fail(v, limit - 1);
    expect(await lockOf(v)).toBeUndefined();
    await fail(v, 1);
    expect(await lockOf(v)).toBe(blockSeconds);
  });

  it('warns the subscriber at the block before the repeated count, and tells each repeated one', async () => {
    const v = verification();
    for (let block = 1; block <= 4; block++) {
      await fail(v, limit);
      now += blockSeconds * 1000;
    }
    expect(audited.map((e) => e.outcome)).toEqual(['temporary:1', 'temporary:2', 'repeated:3', 'repeated:4']);
    expect(notices).toEqual([
      { to: alice.address, notice: 'lockout_warning' },
      { to: alice.address, notice: 'lockout_permanent' },
      { to: alice.address, notice: 'lockout_permanent' },
    ]);
    // Repeated blocks stay temporary: the last one ends like the first.
    expect(await lockOf(v)).toBeUndefined();
  });
});
