import { randomBytes } from 'node:crypto';
import { Writable } from 'node:stream';
import { Bus } from '@outband/bus';
import { busNames } from '@outband/contracts';
import { createLogger } from '@outband/observability';
import { statusWith } from '../support/bus-bodies';
import { api, eventually, type Answer } from '../support/http';
import { startRabbitmqCluster, type ClusterNode, type RabbitmqCluster } from '../support/rabbitmq-cluster';
import { startSuite, type Suite } from '../support/suite';

/**
 * Outband on a RabbitMQ cluster of three nodes started on this machine: quorum queues
 * (QUEUE_TYPE=quorum), every service given the three nodes (AMQP_URL). The node the data server
 * is connected to, where the queues have their leaders, stops in the middle of a burst of logins:
 * the services move to live nodes, the queues elect leaders there, and nothing is lost.
 */
let cluster: RabbitmqCluster;
let suite: Suite;

// One handset per login, so that each verification's SMS is told apart from every other one.
const handsets = Array.from({ length: 150 }, (_, i) => ({ identifier: `cluster-${i}`, address: `+33757${String(i).padStart(6, '0')}` }));
type Handset = (typeof handsets)[number];
const services = ['data-server', 'message-server', 'information-server'];

beforeAll(async () => {
  cluster = await startRabbitmqCluster(3);
  suite = await startSuite({
    amqp: cluster.amqpUrl,
    env: { QUEUE_TYPE: 'quorum', MERCHANT_LIMIT_PER_SECOND: '100000' },
    seed: [{ merchant: { id: 'cluster-handsets', name: 'Handsets of the cluster test', keys: [] }, subscribers: handsets }],
  });
}, 120_000);
afterAll(async () => {
  await suite?.stop();
  await cluster?.destroy();
}, 60_000);

interface QueueRow {
  name: string;
  type: string;
  leader: string;
  members: string[];
  /** Ready and unacknowledged. */
  messages: number;
}

/** The suite's queues as the cluster sees them. */
async function queues(): Promise<QueueRow[]> {
  const out = await cluster.ctl([
    'list_queues',
    '-p',
    cluster.vhost,
    'name',
    'type',
    'leader',
    'members',
    'messages',
    '--formatter',
    'json',
  ]);
  return (JSON.parse(out) as QueueRow[]).filter((q) => q.name.startsWith(`${suite.busPrefix}.`));
}

/** The AMQP ports each service is connected to, by the name its connection gives. */
async function connections(): Promise<Record<string, number[]>> {
  const out = await cluster.ctl(['list_connections', 'port', 'client_properties', '--formatter', 'json']);
  const rows = JSON.parse(out) as Array<{ port: number; client_properties: Array<[string, string, unknown]> }>;
  const byName: Record<string, number[]> = {};
  for (const row of rows) {
    const name = row.client_properties.find(([key]) => key === 'connection_name')?.[2];
    (byName[typeof name === 'string' ? name : '?'] ??= []).push(row.port);
  }
  return byName;
}

function nodeAt(port: number | undefined): ClusterNode {
  const node = cluster.nodes.find((n) => n.port === port);
  if (!node) {
    throw new Error(`no cluster node listens on ${String(port)}`);
  }
  return node;
}

const deliveryOf = (view: Answer) => (view.body.delivery as { state?: string } | undefined)?.state;

it('declares every queue a quorum queue with a member on each node', async () => {
  const all = await queues();
  // Four work queues, each with its retry and dead-letter queue.
  expect(all).toHaveLength(12);
  const nodeNames = cluster.nodes.map((n) => n.name).sort();
  expect(all.filter((q) => q.type !== 'quorum' || [...q.members].sort().join() !== nodeNames.join())).toEqual([]);
});

it('loses nothing of a burst of logins when the node of the data server stops mid-way', async () => {
  const before = await connections();
  expect(services.filter((s) => before[s]?.length !== 1)).toEqual([]);
  const victim = nodeAt(before['data-server']?.[0]);
  // The data server declared the queues: their leaders are on its node.
  expect((await queues()).filter((q) => q.leader === victim.name).length).toBeGreaterThan(0);

  // A third before the stop, a third while the node shuts down, a third once it is gone.
  const answers: Array<{ handset: Handset; answer: Answer; phase: number }> = [];
  const wave = (from: number, to: number, phase: number) =>
    inParallel(handsets.slice(from, to), 10, async (handset) => {
      const answer = await api(suite, 'POST', '/v1/verifications', { body: { identifier: handset.identifier } });
      answers.push({ handset, answer, phase });
    });
  await wave(0, 50, 1);
  await Promise.all([cluster.stop(victim), wave(50, 100, 2)]);
  await wave(100, 150, 3);

  // A login refused while the bus moved is refused as unavailable, for the shop to try again.
  const refused = answers.filter((a) => a.answer.status !== 201);
  expect(
    refused.filter((a) => a.phase === 1 || a.answer.status !== 503).map((a) => [a.phase, a.answer.status, a.answer.body.code]),
  ).toEqual([]);
  const accepted = answers.filter((a) => a.answer.status === 201);
  expect(accepted.length).toBeGreaterThanOrEqual(100);

  // Every service is on a live node; those that were on the stopped one said where they went.
  await eventually(async () => {
    const now = await connections();
    return services.every((s) => now[s]?.length === 1 && now[s]?.[0] !== victim.port) ? true : undefined;
  }, 30_000);
  const moved = services.filter((s) => before[s]?.[0] === victim.port);
  expect(moved).toContain('data-server');
  for (const s of moved) {
    expect(suite.logs.filter((l) => l.includes(`"service":"${s}"`) && l.includes('"msg":"broker connection restored"'))).toHaveLength(1);
  }

  // Each accepted login's SMS reached its handset, and its delivery receipt came back.
  const readAll = () => inParallel(accepted, 10, (a) => api(suite, 'GET', `/v1/verifications/${String(a.answer.body.id)}`));
  const byState = (views: Answer[]) =>
    views.reduce<Record<string, number>>(
      (n, v) => ({ ...n, [`${v.status} ${deliveryOf(v) ?? '-'}`]: (n[`${v.status} ${deliveryOf(v) ?? '-'}`] ?? 0) + 1 }),
      {},
    );
  const states = await eventually(async () => {
    const views = await readAll();
    return views.every((v) => v.status === 200 && deliveryOf(v) === 'delivered') ? byState(views) : undefined;
  }, 60_000).catch(async () => byState(await readAll()));
  expect(states).toEqual({ '200 delivered': accepted.length });

  // Nothing is left to redeliver: the queues are empty (no dead letter either), their leaders on
  // live nodes, the stopped node still one of their members.
  const settled = await eventually(async () => {
    const all = await queues();
    return all.every((q) => q.messages === 0) ? all : undefined;
  }, 30_000).catch(queues);
  expect(settled.filter((q) => q.messages !== 0 || q.leader === victim.name || !q.members.includes(victim.name))).toEqual([]);
  // So each handset holds all it will ever get: one SMS per accepted login.
  const counts = accepted.map((a) => suite.sim.inbox.list(a.handset.address).length);
  expect(counts.filter((n) => n !== 1)).toEqual([]);
}, 120_000);

it('publishes again once a quorum queue has a leader, though its first publish found none', async () => {
  // The node stopped above (or one now), then the one holding the leaders: no majority is left.
  const stopped = cluster.nodes.find((n) => !n.running) ?? cluster.nodes[0];
  if (stopped?.running) {
    await cluster.stop(stopped);
  }
  const [crashed, last] = cluster.nodes.filter((n) => n.running);
  if (!stopped || !crashed || !last) {
    throw new Error('a cluster of three nodes is needed');
  }
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(chunk.toString('utf8'));
      cb();
    },
  });
  const names = busNames(`outband-probe-${randomBytes(4).toString('hex')}`);
  const logger = createLogger({ service: 'probe', level: 'warn', destination: sink });
  // Declared from the node about to crash, the queues have their leaders there.
  await (await Bus.connect({ url: crashed.url, names, queueType: 'quorum', logger, connectTimeoutMs: 10_000 })).close();
  const bus = await Bus.connect({ url: last.url, names, queueType: 'quorum', logger, connectTimeoutMs: 10_000 });
  try {
    await cluster.stop(crashed, 'crash');
    await expect(bus.publish('message.status', statusWith(1))).rejects.toMatchObject({ code: 'BROKER_UNAVAILABLE' });
    expect(logs.filter((l) => l.includes('publish channel renewed after a nack')).length).toBeGreaterThan(0);

    // A majority again: the bus publishes on a channel that knows the new leader.
    await cluster.start(stopped);
    await eventually(
      () =>
        bus.publish('message.status', statusWith(2)).then(
          () => true,
          () => undefined,
        ),
      30_000,
    );
  } finally {
    await bus.close();
  }
}, 90_000);

/** Runs `task` over `items`, `concurrency` at a time; answers the results in order. */
async function inParallel<T, R>(items: readonly T[], concurrency: number, task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next;
      next += 1;
      results[i] = await task(items[i] as T);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return results;
}
