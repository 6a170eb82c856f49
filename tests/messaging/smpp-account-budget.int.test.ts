import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import * as amqp from 'amqplib';
import { Redis } from 'ioredis';
import { accountKey, LeasedBindBudget, type BindGrant } from '@outband/message-server';
import { api, eventually } from '../support/http';
import { freePort } from '../support/private-servers';
import { servers } from '../support/servers';
import { counter } from '../support/signals';
import { startSuite, subscribers, type Suite } from '../support/suite';

/**
 * Message server replicas share one SMSC account: two binds and 30 submits a second, over all
 * binds, as the operator's contract says. The simulated SMSC refuses a third bind and throttles
 * beyond 36 submits in one second (a token bucket lets its small burst through besides the rate),
 * so a replica that ignored the others would show.
 */
const binds = 2;
const rate = 30;
const accountLimit = rate + rate / 5;
const redisPrefix = `budget-${randomBytes(4).toString('hex')}`;
let suite: Suite;
const children: ChildProcess[] = [];

/** The env of a message server on the suite's account; `shared`: leases and rate through Redis. */
function messageEnv(smppPort: number, shared: boolean): Record<string, string> {
  return {
    SMPP_URL: `smpp://127.0.0.1:${smppPort}`,
    SMPP_SYSTEM_ID: 'outband',
    SMPP_PASSWORD: 'secret',
    SMPP_BINDS: String(binds),
    SMPP_ACCOUNT_MAX_SUBMITS_PER_SECOND: String(rate),
    SEND_RETRY_BASE_MS: '200',
    ...(shared ? { REDIS_URL: servers.redis, REDIS_PREFIX: redisPrefix, SMPP_BIND_LEASE_MS: '2000' } : {}),
  };
}

/** Another message server, as a process of its own (so it can be killed); answers its ops port once ready. */
async function spawnReplica(shared: boolean): Promise<{ child: ChildProcess; opsPort: number }> {
  const opsPort = await freePort();
  const child = spawn(process.execPath, [join(__dirname, '../../services/message-server/dist/cli.js'), 'serve'], {
    env: {
      ...process.env,
      AMQP_URL: servers.amqp,
      BUS_PREFIX: suite.busPrefix,
      DATABASE_URL: suite.databaseUrl,
      BUS_SEAL_KEYS: suite.keys.seal,
      OPS_PORT: String(opsPort),
      OPS_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      ...messageEnv(suite.sim.smppPort, shared),
    },
    stdio: 'ignore',
  });
  children.push(child);
  await eventually(async () => {
    expect(child.exitCode).toBeNull();
    const ready = await fetch(`http://127.0.0.1:${opsPort}/healthz`).catch(() => undefined);
    return ready?.ok ? true : undefined;
  }, 30_000);
  return { child, opsPort };
}

const bindsUp = (opsPort: number) => counter(opsPort, 'outband_smpp_binds_up');

beforeAll(async () => {
  suite = await startSuite({
    // A burst four times the account's rate, from one merchant.
    env: { MERCHANT_LIMIT_PER_SECOND: '1000' },
    simulator: {
      accounts: [{ systemId: 'outband', password: 'secret', maxBinds: binds, maxSubmitsPerSecond: accountLimit }],
    },
    messageEnv: (sim) => messageEnv(sim.smppPort, true),
  });
  await suite.message.waitBound(5000);
});
afterAll(async () => {
  children.forEach((c) => c.kill('SIGKILL'));
  await suite?.stop();
});

describe('one SMPP bind budget per account across replicas', () => {
  let replica: { child: ChildProcess; opsPort: number };

  it('splits the account binds between two replicas, never opening more than the account has', async () => {
    // Alone, the first replica holds both binds.
    expect(await bindsUp(suite.message.opsPort)).toBe(binds);
    replica = await spawnReplica(true);
    // The newcomer's share is one: the first drains and frees one for it.
    await eventually(async () =>
      (await bindsUp(replica.opsPort)) === 1 && (await bindsUp(suite.message.opsPort)) === 1 ? true : undefined,
    );
    const s = suite.sim.stats();
    expect(s.binds).toBe(binds);
    expect(s.peakAccountBinds).toBe(binds);
    expect(s.bindsOverLimit).toBe(0);
  }, 40_000);

  it('keeps the two replicas within the account rate together', async () => {
    const count = 120;
    const started = await Promise.all(
      Array.from({ length: count }, (_, i) =>
        api(suite, 'POST', '/v1/verifications', {
          body: { identifier: i % 2 === 0 ? subscribers.alice.identifier : subscribers.bob.identifier },
        }),
      ),
    );
    expect(started.map((r) => r.status).filter((s) => s !== 201)).toEqual([]);
    await eventually(async () => (suite.sim.stats().accepted >= count ? true : undefined), 30_000);
    // Both replicas submitted, four times faster than the account allows, and none was throttled.
    expect(await counter(suite.message.opsPort, 'outband_submits_total', { status: 'ok' })).toBeGreaterThan(0);
    expect(await counter(replica.opsPort, 'outband_submits_total', { status: 'ok' })).toBeGreaterThan(0);
    const s = suite.sim.stats();
    expect(s.accountThrottled).toBe(0);
    expect(s.peakAccountSecond).toBeLessThanOrEqual(accountLimit);
  }, 60_000);

  it('keeps a replica beyond the binds ready without one, and gives it the bind a stopping replica frees', async () => {
    const spare = await spawnReplica(true);
    await eventually(async () => ((await counter(spare.opsPort, 'outband_smpp_account_replicas')) === 3 ? true : undefined));
    // Ready, so a rollout that surges one replica more goes on; it holds no bind.
    expect((await fetch(`http://127.0.0.1:${spare.opsPort}/readyz`)).status).toBe(200);
    expect(await bindsUp(spare.opsPort)).toBe(0);
    // It takes no message to send (it could only retry it): two consumers for three replicas.
    const consumers = async () => {
      const conn = await amqp.connect(servers.amqp);
      try {
        return (await (await conn.createChannel()).checkQueue(`${suite.busPrefix}.message.send`)).consumerCount;
      } finally {
        await conn.close();
      }
    };
    await eventually(async () => ((await consumers()) === 2 ? true : undefined));
    replica.child.kill('SIGTERM');
    await eventually(async () => ((await bindsUp(spare.opsPort)) === 1 ? true : undefined), 20_000);
    // Holding a bind, it takes messages again.
    await eventually(async () => ((await consumers()) === 2 ? true : undefined));
    const s = suite.sim.stats();
    expect(s.peakAccountBinds).toBe(binds);
    expect(s.bindsOverLimit).toBe(0);
    replica = spare;
  }, 40_000);

  it('hands the binds of a replica killed with -9 to the survivor once its leases run out', async () => {
    const accepted = suite.sim.stats().accepted;
    replica.child.kill('SIGKILL');
    await eventually(async () => ((await bindsUp(suite.message.opsPort)) === binds ? true : undefined), 20_000);
    const s = suite.sim.stats();
    expect(s.peakAccountBinds).toBe(binds);
    expect(s.bindsOverLimit).toBe(0);
    const after = await api(suite, 'POST', '/v1/verifications', { body: { identifier: subscribers.alice.identifier } });
    expect(after.status).toBe(201);
    await eventually(() => Promise.resolve(suite.sim.stats().accepted > accepted ? true : undefined));
  }, 40_000);

  it('is what stops a replica that does not share it: the account refuses its binds', async () => {
    const loner = await spawnReplica(false);
    await eventually(async () => (suite.sim.stats().bindsOverLimit > 0 ? true : undefined), 20_000);
    expect(await bindsUp(loner.opsPort)).toBe(0);
    expect(suite.sim.stats().peakAccountBinds).toBe(binds);
  }, 40_000);
});

describe('bind shares', () => {
  it('gives replicas shares that differ by one at most, the first to join holding the extra, and never one slot twice', async () => {
    const redis = new Redis(servers.redis);
    try {
      const key = accountKey(`${redisPrefix}-shares`, 'default');
      const replicas = ['r1', 'r2', 'r3'].map((id) => new LeasedBindBudget(redis, key, id, 4, false, 10_000));
      // Each replica renews in turn and, as a bind pool does, frees what it holds beyond its share.
      const round = async () => {
        const grants: BindGrant[] = [];
        for (const r of replicas) {
          const g = await r.refresh();
          const extra = g.slots.slice(g.share);
          if (extra.length > 0) {
            await r.release(extra, false, false);
          }
          grants.push({ ...g, slots: g.slots.slice(0, g.share) });
        }
        return grants;
      };
      let grants = await round();
      // The first alone took all four; the others wait for what it frees.
      expect(grants.map((g) => g.slots.length)).toEqual([4, 0, 0]);
      grants = await round();
      expect(grants.map((g) => [g.share, g.slots.length])).toEqual([
        [2, 2],
        [1, 1],
        [1, 1],
      ]);
      expect(new Set(grants.flatMap((g) => g.slots)).size).toBe(4);
      // The first leaves: the other two hold two each.
      await replicas[0]!.release('all', false, true);
      replicas.shift();
      grants = await round();
      grants = await round();
      expect(grants.map((g) => [g.live, g.share, g.slots.length])).toEqual([
        [2, 2, 2],
        [2, 2, 2],
      ]);
      expect(new Set(grants.flatMap((g) => g.slots)).size).toBe(4);
    } finally {
      redis.disconnect();
    }
  });
});
