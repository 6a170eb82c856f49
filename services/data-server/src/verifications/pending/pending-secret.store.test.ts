import { inMemoryTtlStore } from '@outband/redis-limits';
import { PendingSecretStore } from './pending-secret.store';

// The scripts, read from their .lua files, on the embedded default's store (Lua run by fengari);
// tests/platform/ttl-store.int.test.ts runs the full conformance suite on Redis too.
const now = new Date('2030-01-01T00:00:00Z');
const later = (ms: number) => new Date(now.getTime() + ms);
let store: PendingSecretStore;
let id: string;
beforeEach(async () => {
  store = new PendingSecretStore(inMemoryTtlStore(), { prefix: `t${Date.now()}` });
  id = `v_${Math.random().toString(36).slice(2)}`;
  await store.put({ verificationId: id, mac: 'aa11', bindingHash: 'bb22', maxAttempts: 2, expiresAt: later(60_000) }, now);
});

it('counts a miss, says what missed, and burns the code at the last attempt', async () => {
  expect(await store.check(id, 'aa12', 'bb22', later(1))).toEqual({ kind: 'mismatch', attempts: 1, attemptsLeft: 1, bindingMatched: true });
  expect(await store.check(id, 'aa11', 'bb23', later(2))).toEqual({ kind: 'burned', attempts: 2, bindingMatched: false });
  expect(await store.check(id, 'aa11', 'bb22', later(3))).toEqual({ kind: 'final', state: 'max_attempts_reached' });
});

it('approves the right code once', async () => {
  expect(await store.check(id, 'aa11', 'bb22', later(1))).toEqual({ kind: 'approved', attempts: 0 });
  expect(await store.check(id, 'aa11', 'bb22', later(2))).toEqual({ kind: 'final', state: 'approved' });
});

it('ends a code whose lifetime has passed', async () => {
  expect(await store.check(id, 'aa11', 'bb22', later(60_000))).toEqual({ kind: 'final', state: 'expired' });
});

it('replaces a code for the same binding after the cool-down, within the sends allowed', async () => {
  expect(await store.resend(id, 'cc33', 'bb23', later(5000), 1000, 2)).toEqual({ kind: 'mismatch' });
  expect(await store.resend(id, 'cc33', 'bb22', later(500), 1000, 2)).toEqual({ kind: 'too_soon', retryAfterMs: 500 });
  expect(await store.resend(id, 'cc33', 'bb22', later(5000), 1000, 2)).toEqual({ kind: 'replaced', sends: 2 });
  expect(await store.resend(id, 'dd44', 'bb22', later(9000), 1000, 2)).toEqual({ kind: 'too_many_sends' });
  expect(await store.check(id, 'cc33', 'bb22', later(9001))).toEqual({ kind: 'approved', attempts: 0 });
});

it('cancels a pending code and answers the final state of one already ended', async () => {
  expect(await store.cancel(id, 'session_closed')).toBe('session_closed');
  expect(await store.cancel(id)).toBe('session_closed');
  expect(await store.cancel('v_unknown')).toBe('expired');
});
