import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import * as amqp from 'amqplib';
import { Bus, deleteTopology } from '@outband/bus';
import { busNames, seal, type MessageSendV1 } from '@outband/contracts';
import { createLogger } from '@outband/observability';
import { freePort, peakRssMb, root, startNode, stop, waitOk } from './processes';
import { rawSubmitRate } from './raw-smpp';
import { percentile, printTable } from './stats';

/**
 * Submit throughput from the bus through the message server into the SMSC simulator, beside
 * the raw ceiling of a bare `smpp` client against the same simulator, in the same run.
 */
const count = Number(process.env.BENCH_MESSAGES ?? 5000);
const amqpUrl = process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const databaseUrl = process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306/outband_bench';
/**
 * Three SMSCs: the simulator answering at once on loopback (the ceiling of this machine); one
 * answering each submit_sm after 20 ms, as an operator's SMSC across a network does, where the
 * window, not the CPU, bounds a bind; and that one with a contracted rate per bind (150/s, the
 * top of what operators sell), throttling beyond it, where the contract is the ceiling.
 */
interface Smsc {
  name: string;
  responseDelayMs: number;
  /** Submits per second per bind the SMSC takes before it answers ESME_RTHROTTLED. */
  contractedPerBind?: number;
  configs: Array<{ binds: number; window: number }>;
}
const smscs: Smsc[] = [
  {
    name: 'loopback',
    responseDelayMs: 0,
    configs: [
      { binds: 1, window: 1 },
      { binds: 1, window: 10 },
      { binds: 1, window: 50 },
      { binds: 4, window: 10 },
    ],
  },
  {
    name: '20 ms SMSC',
    responseDelayMs: 20,
    configs: [
      { binds: 1, window: 10 },
      { binds: 1, window: 50 },
      { binds: 4, window: 10 },
    ],
  },
  {
    name: '20 ms, 150/s per bind',
    responseDelayMs: 20,
    contractedPerBind: 150,
    configs: [
      { binds: 1, window: 10 },
      { binds: 4, window: 10 },
    ],
  },
];

async function main(): Promise<void> {
  const smppPort = await freePort();
  const httpPort = await freePort();
  const sim = startNode('packages/smsc-simulator/dist/main.js', {
    SMSC_SMPP_PORT: String(smppPort),
    SMSC_HTTP_PORT: String(httpPort),
    SMSC_RECEIPT_DELAY_MS: '0',
    SMSC_ACCOUNTS: 'outband:secret',
  });
  const simUrl = `http://127.0.0.1:${httpPort}`;
  const rows: Array<Record<string, string | number>> = [];
  try {
    await waitOk(`${simUrl}/healthz`);
    let n = 0;
    for (const smsc of smscs) {
      await fetch(`${simUrl}/behaviour`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ responseDelayMs: smsc.responseDelayMs, maxSubmitsPerSecond: smsc.contractedPerBind ?? 0 }),
      });
      const raw = new Map<number, { perSecond: number }>();
      // Under a contract, a bind's ceiling is the contracted rate: no client gets more out of it.
      const windows = smsc.contractedPerBind ? [] : new Set(smsc.configs.map((c) => c.window));
      for (const window of smsc.configs.map((c) => c.window)) {
        if (smsc.contractedPerBind) {
          raw.set(window, { perSecond: smsc.contractedPerBind });
        }
      }
      for (const window of windows) {
        await rawSubmitRate(smppPort, window, 500); // warm-up
        const r = await rawSubmitRate(smppPort, window, count);
        raw.set(window, r);
        rows.push({
          smsc: smsc.name,
          what: 'bare smpp client',
          binds: 1,
          window,
          'msg/s': r.perSecond,
          'p50 ms': r.p50Ms,
          'p99 ms': r.p99Ms,
          'of raw/bind': '',
          throttled: '',
          'RSS MB': '',
        });
      }
      if (smsc.contractedPerBind) {
        rows.push({ smsc: smsc.name, what: 'contracted rate', binds: 1, window: '', 'msg/s': smsc.contractedPerBind });
      }
      for (const c of smsc.configs) {
        const r = await outbandRun(smppPort, simUrl, c.binds, c.window, `+33690000${n++}`, smsc.contractedPerBind);
        const ceiling = raw.get(c.window)?.perSecond ?? NaN;
        rows.push({
          smsc: smsc.name,
          what: 'bus → message server',
          binds: c.binds,
          window: c.window,
          'msg/s': r.perSecond,
          'p50 ms': r.p50Ms,
          'p99 ms': r.p99Ms,
          'of raw/bind': `${((r.perSecond / c.binds / ceiling) * 100).toFixed(0)}%`,
          throttled: r.throttled,
          'RSS MB': r.rssMb,
        });
      }
    }
  } finally {
    await stop(sim);
  }
  console.log(`\nSMPP submit throughput, ${count} messages per row, receipts on (2 cores, all on loopback)`);
  console.log('p50/p99 of Outband rows: from publish on the bus to arrival at the SMSC, all messages published at once\n');
  printTable(rows);
  const dir = resolve(root, 'bench/results');
  mkdirSync(dir, { recursive: true });
  const file = resolve(dir, `smpp-throughput-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(file, JSON.stringify({ count, rows }, null, 2));
  console.log(`\nwritten to ${file}`);
}

async function outbandRun(smppPort: number, simUrl: string, binds: number, window: number, address: string, perBind?: number) {
  const prefix = `outband-bench-${randomBytes(4).toString('hex')}`;
  const sealKeys = [{ id: 'b1', key: randomBytes(32) }];
  const opsPort = await freePort();
  const server = startNode(
    'services/message-server/dist/cli.js',
    {
      AMQP_URL: amqpUrl,
      BUS_PREFIX: prefix,
      DATABASE_URL: databaseUrl,
      BUS_SEAL_KEYS: `b1:${sealKeys[0]?.key.toString('base64') ?? ''}`,
      SMPP_URL: `smpp://127.0.0.1:${smppPort}`,
      SMPP_SYSTEM_ID: 'outband',
      SMPP_PASSWORD: 'secret',
      SMPP_BINDS: String(binds),
      SMPP_WINDOW: String(window),
      SMPP_MAX_SUBMITS_PER_SECOND: String(perBind ?? 100_000),
      OPS_PORT: String(opsPort),
      OPS_HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
    },
    ['serve'],
  );
  const names = busNames(prefix);
  const bus = await Bus.connect({ url: amqpUrl, names, logger: createLogger({ service: 'bench', level: 'warn' }) });
  try {
    await waitOk(`http://127.0.0.1:${opsPort}/readyz`);
    const stats = async () => (await (await fetch(`${simUrl}/stats`)).json()) as { accepted: number; throttled: number };
    const { accepted: before, throttled: throttledBefore } = await stats();
    const publishedAt: number[] = [];
    const started = Date.now();
    for (let i = 0; i < count; i += 200) {
      const batch = [];
      for (let j = i; j < Math.min(count, i + 200); j++) {
        const messageId = randomUUID();
        const body: MessageSendV1 = {
          type: 'message.send',
          version: 1,
          messageId,
          verificationId: `ve_${randomBytes(16).toString('hex')}`,
          merchantId: 'bench',
          address,
          receiverKind: 'mobile',
          purpose: 'login',
          locale: 'en',
          sealedCode: seal(sealKeys, String(j).padStart(6, '0'), messageId),
          expiresInSeconds: 600,
        };
        publishedAt[j] = Date.now();
        batch.push(bus.publish(names.eventsExchange, names.routingKeys.messageSend, body, { messageId }));
      }
      await Promise.all(batch);
    }
    const deadline = Date.now() + 300_000;
    for (;;) {
      const { accepted } = await stats();
      if (accepted - before >= count || Date.now() > deadline) {
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    const inbox = (await (await fetch(`${simUrl}/inbox/${encodeURIComponent(address)}`)).json()) as {
      messages: Array<{ text: string; receivedAt: string }>;
    };
    const latencies: number[] = [];
    let last = started;
    for (const m of inbox.messages) {
      const index = Number(/(\d{6})/.exec(m.text)?.[1] ?? NaN);
      const received = Date.parse(m.receivedAt);
      last = Math.max(last, received);
      if (publishedAt[index] !== undefined) {
        latencies.push(received - (publishedAt[index] ?? received));
      }
    }
    const rssMb = peakRssMb(server.pid);
    return {
      throttled: (await stats()).throttled - throttledBefore,
      perSecond: inbox.messages.length / ((last - started) / 1000),
      p50Ms: percentile(latencies, 50),
      p99Ms: percentile(latencies, 99),
      rssMb,
    };
  } finally {
    await bus.close();
    await stop(server);
    await deleteQueues(prefix);
  }
}

async function deleteQueues(prefix: string): Promise<void> {
  const conn = await amqp.connect(amqpUrl);
  await deleteTopology(await conn.createChannel(), busNames(prefix));
  await conn.close();
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
