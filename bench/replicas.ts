import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { closedLoop, findPeak, type LoadResult } from './load';
import { startBenchSuite, type BenchSuite } from './outband-suite';
import { costOf } from './operation-cost';
import { root } from './processes';
import { serverCounters } from './server-counters';
import { printTable } from './stats';

/**
 * Scale-out: the peak of verification starts with one replica of each service, then with two
 * (the load spread over both information servers, the message servers sharing the account's two
 * binds), on the same local RabbitMQ, Redis and MariaDB; with the CPU each start costs in every
 * process, the shared servers included.
 */
const levelMs = Number(process.env.BENCH_LEVEL_MS ?? 6000);
const window = Number(process.env.BENCH_WINDOW ?? 10);
const levels = [4, 16, 32, 64, 128];

async function startOne(suite: BenchSuite, i: number): Promise<void> {
  const v = suite.verifiers[i % suite.verifiers.length]!;
  const base = suite.baseUrls[i % suite.baseUrls.length]!;
  const res = await fetch(`${base}/v1/verifications`, {
    method: 'POST',
    headers: { authorization: `Bearer ${suite.token()}`, 'content-type': 'application/json' },
    body: JSON.stringify({ identifier: v.identifier }),
  });
  await res.arrayBuffer();
  if (res.status !== 201) {
    throw new Error(`start answered ${res.status}`);
  }
}

interface Measured {
  replicas: number;
  peak: LoadResult;
  /** CPU ms per start at the peak level, by process group. */
  cpuMs: Record<string, number>;
  /** MariaDB statements and commits, Redis commands per start at the peak level (every process). */
  work: { sql: number; commits: number; redis: number };
}

async function measure(replicas: number): Promise<Measured> {
  const suite = await startBenchSuite({ verifiers: 4000, payers: 1, window, replicas, binds: 2 });
  try {
    await closedLoop(8, 2000, (i) => startOne(suite, i));
    let best: Measured | undefined;
    await findPeak(levels, async (c) => {
      const counted0 = await serverCounters();
      const { result: r, cost } = await costOf(
        () => suite.cpuSeconds(),
        () => closedLoop(c, levelMs, (i) => startOne(suite, i)),
      );
      const counted1 = await serverCounters();
      const cpuMs = cost.byProcess;
      const per = (k: keyof typeof counted0) => (counted1[k] - counted0[k]) / Math.max(1, r.done);
      const work = { sql: per('sqlStatements'), commits: per('sqlCommits'), redis: per('redisCommands') };
      if (!best || r.perSecond > best.peak.perSecond) {
        best = { replicas, peak: r, cpuMs, work };
      }
      return r;
    });
    if (!best) {
      throw new Error('no level ran');
    }
    return best;
  } finally {
    await suite.stop();
  }
}

async function main(): Promise<void> {
  const one = await measure(1);
  const two = await measure(2);
  const rows = [one, two].map((m) => ({
    what: `verification start, ${m.replicas} replica${m.replicas > 1 ? 's' : ''} of each service`,
    concurrency: m.peak.concurrency,
    'req/s': m.peak.perSecond,
    'p50 ms': m.peak.p50Ms,
    'p99 ms': m.peak.p99Ms,
    errors: m.peak.errors,
    'CPU ms/start': Object.values(m.cpuMs).reduce((a, b) => a + b, 0),
    ...Object.fromEntries(Object.entries(m.cpuMs).map(([k, v]) => [`${k} ms`, v])),
    'SQL/start': m.work.sql,
    'commits/start': m.work.commits,
    'Redis cmds/start': m.work.redis,
    ratio: m === one ? '' : `${(two.peak.perSecond / one.peak.perSecond).toFixed(2)}× one replica`,
  }));
  console.log(`\nScale-out, ${levelMs / 1000} s per level, the account's 2 binds × window ${window}, all on this machine\n`);
  printTable(rows);
  for (const m of [one, two]) {
    if (m.peak.firstError) {
      console.log(`first error with ${m.replicas} replica(s): ${m.peak.firstError}`);
    }
  }
  const dir = resolve(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = resolve(dir, `replicas-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ one, two, rows }, null, 2));
  console.log(`written to ${file}`);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
