import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { mysqlInsertRates, rabbitCurve, redisRate, type CeilingPoint } from './ceilings';
import { kannelRate } from './kannel';
import { costOf, costRows, type OperationCost } from './operation-cost';
import { closedLoop, findPeak, openLoop, type LoadResult } from './load';
import { startBenchSuite, servers, type BenchSuite } from './outband-suite';
import { root } from './processes';
import { rawSubmitRate } from './raw-smpp';
import { serverCounters } from './server-counters';
import { percentile, printTable } from './stats';

/**
 * End to end: the three services on the local RabbitMQ, Redis and MariaDB, the SMSC simulator,
 * and closed-loop load on the merchant API — starts, checks, payments — beside the ceilings
 * (bare SMPP client, RabbitMQ, Redis, MariaDB) and a peer (Kannel) measured in the same run.
 */
const levelMs = Number(process.env.BENCH_LEVEL_MS ?? 6000);
const window = Number(process.env.BENCH_WINDOW ?? 10);
const levels = [1, 4, 8, 16, 32, 64, 128];
/** How long each server ceiling measures, ms. */
const ceilingMs = Number(process.env.BENCH_CEILING_MS ?? 2500);
/** Unconfirmed persistent messages: a confirm waits for the broker, so one level alone measures its latency. */
const rabbitInFlight = [64, 256, 1024];
/**
 * What one start costs each ceiling: one submit and three persistent messages (`message.send`
 * and two delivery reports); its SQL statements and Redis commands are counted by the servers
 * themselves at the peak level (every process's, Redis's inside scripts too). Each statement
 * counts as a single-row commit, though most share a transaction, so that share errs high.
 */
const perStart = { submits: 1, persistentMessages: 3 } as const;

interface Started {
  id: string;
  address: string;
  sentAt: number;
}

async function post(suite: BenchSuite, path: string, body: object): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await fetch(`${suite.baseUrl}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${suite.token()}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

const simJson = async <T>(suite: BenchSuite, path: string, method = 'GET'): Promise<T> =>
  (await (await fetch(`${suite.simUrl}${path}`, { method })).json().catch(() => ({}))) as T;
const accepted = async (suite: BenchSuite) => (await simJson<{ accepted: number }>(suite, '/stats')).accepted;
type Inbox = { messages: Array<{ text: string; receivedAt: string }> };

/** Waits until the SMSC has every message the API accepted (the message server drained). */
async function drained(suite: BenchSuite, expected: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while ((await accepted(suite)) < expected && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** One level of starts: distinct subscribers, so each address gets one text per level. */
async function startLevel(suite: BenchSuite, concurrency: number, durationMs: number, into: Started[]): Promise<LoadResult> {
  const n = suite.verifiers.length;
  return closedLoop(
    concurrency,
    durationMs,
    async (i) => {
      const v = suite.verifiers[i % n]!;
      const sentAt = Date.now();
      const r = await post(suite, '/v1/verifications', { identifier: v.identifier });
      if (r.status !== 201) {
        throw new Error(`start answered ${r.status} ${String(r.json.code)}`);
      }
      into.push({ id: String(r.json.id), address: v.address, sentAt });
    },
    n,
  );
}

/** From request to arrival at the SMSC, for a sample of the level's starts. */
async function submitLatencies(suite: BenchSuite, started: Started[]): Promise<number[]> {
  const sample = started.filter((_, i) => i % Math.max(1, Math.floor(started.length / 300)) === 0);
  const out: number[] = [];
  for (const s of sample) {
    const inbox = await simJson<Inbox>(suite, `/inbox/${encodeURIComponent(s.address)}`);
    const m = inbox.messages.find((x) => Date.parse(x.receivedAt) >= s.sentAt - 5);
    if (m) {
      out.push(Date.parse(m.receivedAt) - s.sentAt);
    }
  }
  return out;
}

async function codeOf(suite: BenchSuite, address: string): Promise<string | undefined> {
  const inbox = await simJson<Inbox>(suite, `/inbox/${encodeURIComponent(address)}`);
  const last = inbox.messages[inbox.messages.length - 1];
  return last ? /\b(\d{6})\b/.exec(last.text)?.[1] : undefined;
}

async function main(): Promise<void> {
  const suite = await startBenchSuite({ verifiers: 4000, payers: 400, window });
  const rows: Array<Record<string, string | number>> = [];
  const results: Record<string, unknown> = { window, levelMs };
  const row = (what: string, r: LoadResult, extra: Record<string, string | number> = {}) =>
    rows.push({
      what,
      concurrency: Number.isNaN(r.concurrency) ? 'open' : r.concurrency,
      'req/s': r.perSecond,
      'p50 ms': r.p50Ms,
      'p95 ms': r.p95Ms,
      'p99 ms': r.p99Ms,
      errors: r.errors,
      'submit p50 ms': '',
      'submit p99 ms': '',
      ratio: '',
      ...extra,
    });
  try {
    // Warm-up: JIT, pools, prepared topology.
    await startLevel(suite, 8, 2000, []);
    await drained(suite, 0);

    // 1. Starts, at growing concurrency until the rate stops growing.
    let sent = await accepted(suite);
    const counted = new Map<number, { sqlStatements: number; redisCommands: number }>();
    const startCosts = new Map<number, OperationCost>();
    const starts = await findPeak(levels, async (c) => {
      await simJson(suite, '/inbox', 'DELETE');
      const started: Started[] = [];
      const before = await serverCounters();
      // Until the SMSC has the level's messages, so their delivery is in the cost too.
      const { result: r, cost } = await costOf(
        () => suite.cpuSeconds(),
        async () => {
          const level = await startLevel(suite, c, levelMs, started);
          await drained(suite, sent + level.done);
          return level;
        },
      );
      const after = await serverCounters();
      startCosts.set(c, cost);
      const per = (k: 'sqlStatements' | 'redisCommands') => (after[k] - before[k]) / Math.max(1, r.done);
      counted.set(c, { sqlStatements: per('sqlStatements'), redisCommands: per('redisCommands') });
      sent += r.done;
      const submit = await submitLatencies(suite, started);
      row('verification start', r, { 'submit p50 ms': percentile(submit, 50), 'submit p99 ms': percentile(submit, 99) });
      return r;
    });
    const peak = starts.reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
    results.starts = starts;

    // Latency at 70% of the peak rate (open loop).
    await simJson(suite, '/inbox', 'DELETE');
    const at70 = await openLoop(peak.perSecond * 0.7, levelMs, async (i) => {
      const v = suite.verifiers[i % suite.verifiers.length]!;
      const r = await post(suite, '/v1/verifications', { identifier: v.identifier });
      if (r.status !== 201) {
        throw new Error(`start answered ${r.status}`);
      }
    });
    sent += at70.done;
    row('start at 70% of peak', at70);
    results.startsAt70 = at70;
    await drained(suite, sent);

    // 2. Checks: fresh verifications, wrong codes first (4 each, one attempt left), then the right ones.
    await simJson(suite, '/inbox', 'DELETE');
    const pending: Started[] = [];
    await startLevel(suite, peak.concurrency, 60_000, pending);
    sent += pending.length;
    await drained(suite, sent);
    const codes = await Promise.all(pending.map((p) => codeOf(suite, p.address)));
    const checkConcurrency = Math.max(16, peak.concurrency);
    const check = async (id: string, code: string, want: string) => {
      const r = await post(suite, `/v1/verifications/${id}/check`, { code });
      if (r.status !== 200 || r.json.status !== want) {
        throw new Error(`check answered ${r.status} ${String(r.json.status ?? r.json.code)}`);
      }
    };
    const { result: wrong, cost: wrongCost } = await costOf(
      () => suite.cpuSeconds(),
      () =>
        closedLoop(
          checkConcurrency,
          levelMs,
          (i) => check(pending[i % pending.length]!.id, codes[i % pending.length] === '000000' ? '000001' : '000000', 'pending'),
          pending.length * 4,
        ),
    );
    row('check, wrong code', wrong, { ratio: `${(wrong.perSecond / peak.perSecond).toFixed(1)}× starts` });
    const { result: right, cost: rightCost } = await costOf(
      () => suite.cpuSeconds(),
      () => closedLoop(checkConcurrency, levelMs * 2, (i) => check(pending[i]!.id, codes[i] ?? '', 'approved'), pending.length),
    );
    row('check, right code', right, { ratio: `${(right.perSecond / peak.perSecond).toFixed(1)}× starts` });
    results.checks = { wrong, right };

    // 3. Payments: start (code sent), read the code on the phone, check → captured by the bank.
    const { result: payments, cost: paymentCost } = await costOf(
      () => suite.cpuSeconds(),
      () =>
        closedLoop(
          16,
          levelMs,
          async (i) => {
            const payer = suite.payers[i % suite.payers.length]!;
            const before = (await simJson<Inbox>(suite, `/inbox/${encodeURIComponent(payer.address)}`)).messages.length;
            const transaction = { amount: 5_000, currency: 'EUR', payee: 'Bench shop' };
            const started = await post(suite, '/v1/payments', {
              source: { kind: 'contract', identifier: payer.identifier },
              transaction,
            });
            if (started.status !== 201 || started.json.state !== 'code_sent') {
              throw new Error(`payment answered ${started.status} ${String(started.json.state ?? started.json.code)}`);
            }
            let code: string | undefined;
            for (const deadline = Date.now() + 10_000; !code && Date.now() < deadline;) {
              const inbox = await simJson<Inbox>(suite, `/inbox/${encodeURIComponent(payer.address)}`);
              code = inbox.messages.length > before ? /\b(\d{6})\b/.exec(inbox.messages[inbox.messages.length - 1]!.text)?.[1] : undefined;
              if (!code) {
                await new Promise((r) => setTimeout(r, 10));
              }
            }
            const checked = await post(suite, `/v1/verifications/${String(started.json.verificationId)}/check`, { code, transaction });
            const payment = checked.json.payment as { state?: string } | undefined;
            if (payment?.state !== 'captured') {
              throw new Error(`payment check answered ${checked.status} ${String(payment?.state ?? checked.json.code)}`);
            }
          },
          suite.payers.length,
        ),
    );
    row('payment (start, SMS, check, capture)', payments);
    results.payments = payments;

    // 4. Ceilings, in the same run, each beside the share of it the start peak uses.
    // Accounts of their own, so their receipts do not go to Outband's bind.
    const raw = await rawSubmitRate(suite.smppPort, window, 5000, 'raw');
    const rabbit = await rabbitCurve(servers.amqp, ceilingMs, rabbitInFlight);
    const redis = [
      await redisRate(servers.redis, ceilingMs, { clients: 8, batch: 1 }),
      await redisRate(servers.redis, ceilingMs, { clients: 8, batch: 64 }),
    ];
    const mysql = await mysqlInsertRates(servers.mysql, ceilingMs, [1, 32]);
    const ceiling = (what: string, perSecond: number, ratio: string) =>
      rows.push({
        what,
        concurrency: '',
        'req/s': Math.round(perSecond),
        'p50 ms': '',
        'p95 ms': '',
        'p99 ms': '',
        errors: '',
        'submit p50 ms': '',
        'submit p99 ms': '',
        ratio,
      });
    const work = counted.get(peak.concurrency) ?? { sqlStatements: NaN, redisCommands: NaN };
    const uses = (cost: number, perSecond: number) => {
      const pct = ((peak.perSecond * cost) / perSecond) * 100;
      return `starts use ${pct < 10 ? pct.toFixed(1) : pct.toFixed(0)}% of it`;
    };
    ceiling(`ceiling: bare smpp client (1 bind, window ${window})`, raw.perSecond, uses(perStart.submits, raw.perSecond));
    const ownCpu = (r: CeilingPoint) => `; ${(r.serverCpuMs * 1000).toFixed(0)} µs of the server's CPU each`;
    for (const r of rabbit) {
      const what = `ceiling: RabbitMQ persistent, ${r.inFlight} in flight (msg/s)`;
      ceiling(what, r.perSecond, uses(perStart.persistentMessages, r.perSecond) + ownCpu(r));
    }
    for (const r of redis) {
      const how = r.batch === 1 ? 'one at a time' : `${r.batch} per round trip`;
      ceiling(`ceiling: Redis, ${how}, ${r.clients} clients (cmd/s)`, r.perSecond, uses(work.redisCommands, r.perSecond) + ownCpu(r));
    }
    for (const r of mysql) {
      const how = r.connections === 1 ? '1 connection, serial' : `${r.connections} connections`;
      ceiling(`ceiling: MariaDB inserts, ${how} (rows/s)`, r.perSecond, uses(work.sqlStatements, r.perSecond) + ownCpu(r));
    }
    results.ceilings = { smpp: raw, rabbit, redis, mysql, perStart: { ...perStart, ...work }, ceilingMs };

    // 5. The peer: Kannel's sendsms into the same simulator.
    const kannel = await kannelRate({
      smppPort: suite.smppPort,
      simUrl: suite.simUrl,
      window,
      concurrency: peak.concurrency,
      durationMs: levelMs,
    });
    if (kannel.available) {
      ceiling(
        `peer: Kannel sendsms → SMSC (1 bind, window ${window})`,
        kannel.perSecond,
        `starts ${(peak.perSecond / kannel.perSecond).toFixed(2)}×`,
      );
    } else {
      ceiling(`peer: Kannel — skipped: ${kannel.reason}`, NaN, '');
    }
    results.kannel = kannel;
    const peakCost = startCosts.get(peak.concurrency);
    const costs: Array<[string, OperationCost]> = [
      ...(peakCost ? [[`start (peak, ${peak.concurrency} at a time)`, peakCost] as [string, OperationCost]] : []),
      ['check, wrong code', wrongCost],
      ['check, right code', rightCost],
      ['payment', paymentCost],
    ];
    results.costs = Object.fromEntries(costs);

    // 6. Memory.
    const rss = suite.peakRss();
    results.peakRssMb = rss;

    console.log(`\nEnd to end, ${levelMs / 1000} s per level, 1 bind × window ${window}, receipts on, all on this machine\n`);
    printTable(rows);
    console.log(
      `\npeak RSS: data server ${rss.data.toFixed(0)} MB, message server ${rss.message.toFixed(0)} MB, information server ${rss.information.toFixed(0)} MB`,
    );
    console.log(
      `per start at the peak, as the servers count: ${work.sqlStatements.toFixed(1)} SQL statements, ${work.redisCommands.toFixed(1)} Redis commands (scripts' included)`,
    );
    console.log('\nCPU per operation, from /proc (the machine: every process, the load generator and the simulator too)\n');
    printTable(costRows(costs));
    if (kannel.available && peakCost) {
      const k = kannel.cost;
      console.log(
        `Kannel sendsms: ${k.cpuMsPerOp.toFixed(2)} ms of the machine's CPU and ${k.writesPerOp.toFixed(1)} write calls per message, cores ${(k.busy * 100).toFixed(0)}% busy; ` +
          `a start: ${peakCost.cpuMsPerOp.toFixed(2)} ms and ${peakCost.writesPerOp.toFixed(1)} write calls (${(peakCost.cpuMsPerOp / k.cpuMsPerOp).toFixed(1)}× Kannel's). ` +
          `Where both fill the cores, starts reach 0.5× Kannel's rate only at ≤ 2× its CPU per message.`,
      );
      // The shared servers alone, each at its most efficient measured rate, for what a start asks of them.
      const cheapest = (points: CeilingPoint[]) => Math.min(...points.map((p) => p.serverCpuMs));
      const floor =
        perStart.persistentMessages * cheapest(rabbit) + work.redisCommands * cheapest(redis) + work.sqlStatements * cheapest(mysql);
      console.log(
        `The shared servers alone, at their own best CPU per operation above, for one start's ${perStart.persistentMessages} persistent messages, ` +
          `${work.redisCommands.toFixed(0)} Redis commands and ${work.sqlStatements.toFixed(1)} SQL statements: ${floor.toFixed(2)} ms ` +
          `(2× Kannel's message: ${(2 * k.cpuMsPerOp).toFixed(2)} ms).`,
      );
      results.sharedServersFloorMs = floor;
    }
    const firstErrors = [...starts, at70, wrong, right, payments].map((r) => r.firstError).filter(Boolean);
    if (firstErrors.length > 0) {
      console.log(`first errors: ${[...new Set(firstErrors)].join('; ')}`);
    }
    const dir = resolve(root, 'bench/results');
    mkdirSync(dir, { recursive: true });
    const file = resolve(dir, `end-to-end-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    writeFileSync(file, JSON.stringify({ ...results, rows }, null, 2));
    console.log(`written to ${file}`);
  } finally {
    await suite.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
