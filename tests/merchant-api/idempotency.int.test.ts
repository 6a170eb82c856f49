import { createHash, randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import type { MessageBus } from '@outband/bus';
import { AppError } from '@outband/errors';
import { informationServerEnv, startInformationServer } from '@outband/information-server';
import { createLogger } from '@outband/observability';
import { api, eventually, waitForInbox } from '../support/http';
import { receivedBeforeNext } from '../support/signals';
import { servers, startSuite, subscribers, type Suite } from '../support/suite';

let suite: Suite;
beforeAll(async () => {
  suite = await startSuite();
});
afterAll(async () => {
  await suite?.stop();
});
beforeEach(() => {
  suite.sim.inbox.clear();
});

const start = (key: string, identifier = 'alice') =>
  api(suite, 'POST', '/v1/verifications', { body: { identifier }, headers: { 'idempotency-key': key } });

describe('Idempotency-Key', () => {
  it('replays the first answer to the same request: one verification, one SMS', async () => {
    const key = randomUUID();
    const first = await start(key);
    const again = await start(key);
    expect(first.status).toBe(201);
    expect(again.status).toBe(201);
    expect(again.body.id).toBe(first.body.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.headers.get('location')).toBe(`/v1/verifications/${first.body.id as string}`);
    // A later SMS to the handset arrives after any second one the replay could have sent.
    expect(await receivedBeforeNext(suite, 'alice', subscribers.alice.address)).toHaveLength(1);
  });

  it('refuses the same key with another request', async () => {
    const key = randomUUID();
    await start(key, 'alice');
    const other = await start(key, 'bob');
    expect(other.status).toBe(422);
    expect(other.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
    expect(other.contentType).toContain('application/problem+json');
    // Its SMS must not land in the next test's inbox.
    await waitForInbox(suite, subscribers.alice.address, 1);
  });

  it('makes concurrent duplicates one verification and one SMS', async () => {
    const key = randomUUID();
    const answers = await Promise.all(Array.from({ length: 6 }, () => start(key)));
    expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
    expect(answers.every((a) => a.status === 201)).toBe(true);
    // A later SMS to the handset arrives after any second one the replay could have sent.
    expect(await receivedBeforeNext(suite, 'alice', subscribers.alice.address)).toHaveLength(1);
  });

  it('runs requests without the header each time, and refuses a malformed key', async () => {
    const a = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } });
    const b = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } });
    expect(a.body.id).not.toBe(b.body.id);
    expect((await start('bad key with spaces')).body.code).toBe('IDEMPOTENCY_KEY_INVALID');
  });
});

/**
 * A bus on which the merchant's keys are known and a verification start is sent but never
 * answered: the server using it takes an Idempotency-Key and then hangs, as one killed mid-request.
 */
function stalledBus(onStart: () => void): { bus: MessageBus; release: () => void } {
  const hung: Array<(e: Error) => void> = [];
  const bus: MessageBus = {
    connected: true,
    publish: () => Promise.resolve(),
    consume: () => Promise.resolve(),
    serve: () => Promise.resolve(),
    request(_queue, body) {
      const type = (body as { type?: unknown }).type;
      if (type === 'merchant.keys.get') {
        const { id, kid, secret } = suite.merchant;
        return Promise.resolve({ merchantId: id, active: true, keys: [{ kid, alg: 'HS256', key: secret }] });
      }
      onStart();
      return new Promise((_resolve, reject) => hung.push(reject));
    },
    stopConsuming: () => Promise.resolve(),
    resumeConsuming: () => Promise.resolve(),
    close: () => Promise.resolve(),
  };
  const release = () => hung.splice(0).forEach((reject) => reject(new AppError('unavailable', 'UPSTREAM_TIMEOUT', 'test over')));
  return { bus, release };
}

// It reads Redis around the server: the embedded group has no Redis.
const withRedis = process.env.OUTBAND_TEST_EMBEDDED === '1' ? it.skip : it;

describe('Idempotency-Key of a server killed mid-request', () => {
  withRedis('is free again once the claim lapses: a retry runs instead of 409, and its answer is kept a day', async () => {
    const key = randomUUID();
    const redisKey = `${suite.redisPrefix}:idem:{${suite.merchant.id}}:${createHash('sha256').update(key).digest('hex')}`;
    const redis = new Redis(servers.redis);
    // Its stop() disconnects it again: no 2 s timer for a link already closed.
    const doomedRedis = new Redis(servers.redis, { disconnectTimeout: 0 });
    let sent: () => void = () => undefined;
    const startSent = new Promise<void>((resolve) => (sent = resolve));
    const stalled = stalledBus(() => sent());
    const doomed = await startInformationServer(
      informationServerEnv.parse({
        REDIS_PREFIX: suite.redisPrefix,
        BUS_PREFIX: suite.busPrefix,
        HTTP_PORT: '0',
        HTTP_HOST: '127.0.0.1',
        OPS_PORT: '0',
        OPS_HOST: '127.0.0.1',
        JWT_REQUIRE_JTI: 'false',
        IDEMPOTENCY_PENDING_SECONDS: '1',
      }),
      createLogger({ service: 'doomed-information-server', level: 'silent' }),
      { bus: stalled.bus, redis: doomedRedis },
    );
    try {
      const hanging = api({ ...suite, baseUrl: `http://127.0.0.1:${doomed.port}` }, 'POST', '/v1/verifications', {
        body: { identifier: 'alice' },
        headers: { 'idempotency-key': key },
      }).catch(() => undefined);
      await startSent;
      // The claim the server took lasts as long as a request can run, not the day an answer is kept.
      expect(JSON.parse((await redis.get(redisKey)) ?? 'null')).toMatchObject({ state: 'pending' });
      const claimMs = await redis.pttl(redisKey);
      expect(claimMs).toBeGreaterThan(0);
      expect(claimMs).toBeLessThanOrEqual(1000);
      // Killed: it never writes to Redis again.
      doomedRedis.disconnect();
      await eventually(async () => ((await redis.exists(redisKey)) === 0 ? true : undefined), 10_000);

      const retry = await start(key);
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotent-replayed')).toBeNull();
      await waitForInbox(suite, subscribers.alice.address, 1);
      const kept = await eventually(async () => {
        const stored = JSON.parse((await redis.get(redisKey)) ?? 'null') as { state?: string } | null;
        return stored?.state === 'done' ? stored : undefined;
      });
      expect(kept).toMatchObject({ state: 'done' });
      expect(await redis.ttl(redisKey)).toBeGreaterThan(86_000);
      const again = await start(key);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body.id).toBe(retry.body.id);

      stalled.release();
      await hanging;
    } finally {
      stalled.release();
      await doomed.stop();
      redis.disconnect();
    }
  });

  withRedis('a retry whose first try reached the data server gets that verification: one SMS, not two', async () => {
    const key = randomUUID();
    const redisKey = `${suite.redisPrefix}:idem:{${suite.merchant.id}}:${createHash('sha256').update(key).digest('hex')}`;
    const redis = new Redis(servers.redis);
    try {
      const first = await start(key);
      expect(first.status).toBe(201);
      await waitForInbox(suite, subscribers.alice.address, 1);
      // What a server that died after the data server's answer, before keeping it, leaves: no key.
      await redis.del(redisKey);
      const retry = await start(key);
      expect(retry.status).toBe(201);
      expect(retry.headers.get('idempotent-replayed')).toBeNull();
      expect(retry.body.id).toBe(first.body.id);
      // A later SMS to the handset arrives after any second one the retry could have sent.
      expect(await receivedBeforeNext(suite, 'alice', subscribers.alice.address)).toHaveLength(1);
    } finally {
      redis.disconnect();
    }
  });

  withRedis('the same key with another request, once the first is forgotten, starts that request, not the first', async () => {
    const key = randomUUID();
    const redisKey = `${suite.redisPrefix}:idem:{${suite.merchant.id}}:${createHash('sha256').update(key).digest('hex')}`;
    const redis = new Redis(servers.redis);
    try {
      const first = await start(key, 'alice');
      expect(first.status).toBe(201);
      await redis.del(redisKey); // the first answer was a 5xx, or its day ran out
      const other = await start(key, 'bob');
      expect(other.status).toBe(201);
      expect(other.body.id).not.toBe(first.body.id);
      await waitForInbox(suite, subscribers.bob.address, 1);
    } finally {
      redis.disconnect();
    }
  });
});
