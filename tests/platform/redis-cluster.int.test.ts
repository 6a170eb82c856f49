import { Cluster, Redis } from 'ioredis';
import { PendingSecretStore } from '@outband/data-server';
import { api, readCode } from '../support/http';
import { startRedisCluster, type RedisCluster } from '../support/redis-cluster';
import { startSuite, subscribers, type Suite } from '../support/suite';

/**
 * The suite on a Redis Cluster of three masters (REDIS_CLUSTER_NODES): codes, limits and
 * lockouts work when their keys sit on different nodes, each script's keys in one slot.
 */
let cluster: RedisCluster;
let suite: Suite;
beforeAll(async () => {
  cluster = await startRedisCluster(3);
  suite = await startSuite({
    env: {
      REDIS_CLUSTER_NODES: cluster.nodes,
      // Many sends to one handset, so the keys of many verifications spread over the masters.
      SEND_LIMIT_PER_ADDRESS: '30',
      SEND_LIMIT_WINDOW_SECONDS: '600',
      SUBSCRIBER_FAILURE_LIMIT: '3',
      SUBSCRIBER_BLOCK_SECONDS: '600',
    },
  });
}, 60_000);
afterAll(async () => {
  await suite?.stop();
  await cluster?.stop();
});

const start = (identifier: string) => api(suite, 'POST', '/v1/verifications', { body: { identifier } });
const check = (id: string, code: string) => api(suite, 'POST', `/v1/verifications/${id}/check`, { body: { code } });

let approvedId = '';

it('sends a code to the handset and approves it when typed back', async () => {
  const started = await start('alice');
  expect(started.status).toBe(201);
  approvedId = String(started.body.id);
  const code = await readCode(suite, subscribers.alice.address);
  const checked = await check(approvedId, code);
  expect(checked.status).toBe(200);
  expect(checked.body.status).toBe('approved');
  expect((await api(suite, 'GET', `/v1/verifications/${approvedId}`)).body.status).toBe('approved');
});

it('refuses the send over the per-address limit with 429 TOO_MANY_SENDS', async () => {
  for (let i = 0; i < 30; i++) {
    expect((await start('bob')).status).toBe(201);
  }
  const refused = await start('bob');
  expect(refused.status).toBe(429);
  expect(refused.body.code).toBe('TOO_MANY_SENDS');
  expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
});

it('blocks the subscriber after the failed checks allowed, even the right code', async () => {
  const id = String((await start('alice')).body.id);
  const code = await readCode(suite, subscribers.alice.address, 2);
  const wrong = ['000000', '000001', '000002', '000003'].filter((c) => c !== code).slice(0, 3);
  expect((await check(id, wrong[0] ?? '')).body.attemptsLeft).toBe(4);
  expect((await check(id, wrong[1] ?? '')).body.attemptsLeft).toBe(3);
  await check(id, wrong[2] ?? '');
  const blocked = await check(id, code);
  expect(blocked.status).toBe(429);
  expect(blocked.body.code).toBe('SUBSCRIBER_LOCKED');
  expect((await start('alice')).body.code).toBe('SUBSCRIBER_LOCKED');
});

it('spreads the keys over the three masters, and keeps the keys of one verification in one slot', async () => {
  const nodes = cluster.ports.map((port) => new Redis({ host: '127.0.0.1', port, lazyConnect: true }));
  const client = new Cluster(cluster.ports.map((port) => ({ host: '127.0.0.1', port })));
  try {
    const sizes = await Promise.all(nodes.map((n) => n.dbsize()));
    expect(sizes.every((size) => size > 0)).toBe(true);
    const [pending, final] = new PendingSecretStore(client, { prefix: suite.redisPrefix }).keysOf(approvedId);
    const [node] = nodes;
    expect(await node?.cluster('KEYSLOT', pending)).toBe(await node?.cluster('KEYSLOT', final));
    expect(await client.get(final)).toBe('approved');
  } finally {
    nodes.forEach((n) => n.disconnect());
    client.disconnect();
  }
});
