import { randomBytes } from 'node:crypto';
import type { ChildProcess } from 'node:child_process';
import jwt from 'jsonwebtoken';
import * as amqp from 'amqplib';
import { startBankSimulator, type BankSimulator } from '@outband/bank-simulator';
import { deleteTopology } from '@outband/bus';
import { busNames } from '@outband/contracts';
import { seedDemo } from '@outband/data-server';
import { openDatabase } from '@outband/db';
import { createLogger } from '@outband/observability';
import { cpuSecondsOf, freePort, peakRssMb, startNode, stop, waitOk } from './processes';

export const servers = {
  amqp: process.env.BENCH_AMQP_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
  redis: process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379',
  mysql: process.env.BENCH_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306',
};

export type Service = 'data' | 'message' | 'information';

/** The three services as child processes on the local servers, a fresh database and bus prefix. */
export interface BenchSuite {
  baseUrl: string;
  /** The information server of each replica (the first is `baseUrl`). */
  baseUrls: string[];
  simUrl: string;
  smppPort: number;
  bank: BankSimulator;
  verifiers: Array<{ identifier: string; address: string }>;
  payers: Array<{ identifier: string; address: string }>;
  /** A merchant token, renewed before it expires. */
  token(): string;
  /** Peak resident memory of each service so far, MB (the largest replica). */
  peakRss(): Record<Service, number>;
  /** CPU seconds used so far by every process of the suite's services, by service. */
  cpuSeconds(): Record<Service, number>;
  stop(): Promise<void>;
}

const ring = () => `k1:${randomBytes(32).toString('base64')}`;

export async function startBenchSuite(o: {
  verifiers: number;
  payers: number;
  window: number;
  /** Replicas of each service; they share the SMSC account's binds. @defaultValue 1 */
  replicas?: number;
  /** The SMSC account's binds. @defaultValue 1 */
  binds?: number;
}): Promise<BenchSuite> {
  const replicas = o.replicas ?? 1;
  const id = randomBytes(4).toString('hex');
  const prefix = `outband-bench-${id}`;
  const databaseUrl = `${servers.mysql}/outband_bench_${id}`;
  const [smppPort, simHttp] = [await freePort(), await freePort()];
  const children: Record<Service, ChildProcess[]> = { data: [], message: [], information: [] };
  const sim = startNode('packages/smsc-simulator/dist/main.js', {
    SMSC_SMPP_PORT: String(smppPort),
    SMSC_HTTP_PORT: String(simHttp),
    SMSC_ACCOUNTS: 'outband:secret,raw:secret,kannel:secret',
    SMSC_RECEIPT_DELAY_MS: '100',
    LOG_LEVEL: 'warn',
  });
  const simUrl = `http://127.0.0.1:${simHttp}`;
  const verifiers = Array.from({ length: o.verifiers }, (_, i) => ({
    identifier: `verifier-${i}`,
    address: `+3361${String(i).padStart(7, '0')}`,
  }));
  const payers = Array.from({ length: o.payers }, (_, i) => ({ identifier: `payer-${i}`, address: `+3362${String(i).padStart(7, '0')}` }));
  const bank = await startBankSimulator({
    port: 0,
    cards: payers.map((p, i) => ({
      token: `tok_${p.identifier}`,
      pan: `4000${String(i).padStart(12, '0')}`,
      customerId: `cu_${p.identifier}`,
      currency: 'EUR',
      balance: 1e12,
      blocked: false,
      doNotHonor: false,
    })),
    logger: createLogger({ service: 'bench-bank', level: 'silent' }),
  });
  const merchant = { id: 'bench-shop', kid: 'k1', secret: randomBytes(32).toString('base64') };
  await seedDemo(databaseUrl, {
    merchant: { id: merchant.id, name: 'Bench shop', keys: [{ kid: merchant.kid, alg: 'HS256', key: merchant.secret }] },
    subscribers: [...verifiers, ...payers.map((p) => ({ ...p, cardToken: `tok_${p.identifier}`, bankCustomerId: `cu_${p.identifier}` }))],
    // Payments above 30 EUR need a code: the bench pays 50 EUR.
    policy: { limitAmount: 3_000, serviceChargeBps: 150 },
  });
  const ports = async () => Promise.all(Array.from({ length: replicas }, () => freePort()));
  const [httpPorts, dataOps, messageOps] = [await ports(), await ports(), await ports()];
  const common = {
    AMQP_URL: servers.amqp,
    BUS_PREFIX: prefix,
    DATABASE_URL: databaseUrl,
    BUS_SEAL_KEYS: ring(),
    REDIS_URL: servers.redis,
    REDIS_PREFIX: prefix,
    OPS_HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
  };
  // One set of keys for every replica: any data server checks a code another issued.
  const [codeKeys, codeMacKeys] = [ring(), ring()];
  const env = (r: number): Record<Service, Record<string, string>> => ({
    data: {
      ...common,
      OPS_PORT: String(dataOps[r]),
      CODE_KEYS: codeKeys,
      CODE_MAC_KEYS: codeMacKeys,
      BANK_URL: bank.url,
      CODE_TTL_SECONDS: '600',
      // A load test, not an attack: the abuse limits would stop it.
      SEND_LIMIT_PER_ADDRESS: '100000',
      RANGE_LIMIT: '1000000',
      COUNTRY_LIMIT: '1000000',
      MERCHANT_LIMIT_PER_SECOND: '100000',
      MERCHANT_LIMIT_PER_DAY: '100000000',
    },
    message: {
      ...common,
      OPS_PORT: String(messageOps[r]),
      SMPP_URL: `smpp://127.0.0.1:${smppPort}`,
      SMPP_SYSTEM_ID: 'outband',
      SMPP_PASSWORD: 'secret',
      SMPP_BINDS: String(o.binds ?? 1),
      SMPP_WINDOW: String(o.window),
      SMPP_MAX_SUBMITS_PER_SECOND: '100000',
    },
    information: {
      ...common,
      HTTP_PORT: String(httpPorts[r]),
      HTTP_HOST: '127.0.0.1',
      OPS_PORT: '0',
      REQUEST_LIMIT_PER_IP: '10000000',
      REQUEST_LIMIT_PER_MERCHANT: '10000000',
      // The bench reuses a token for two minutes, as a merchant saving signatures may.
      JWT_REQUIRE_JTI: 'false',
    },
  });
  const ready = (r: number): Record<Service, string> => ({
    data: `http://127.0.0.1:${dataOps[r]}/readyz`,
    message: `http://127.0.0.1:${messageOps[r]}/readyz`,
    information: `http://127.0.0.1:${httpPorts[r]}/readyz`,
  });
  const scripts: Record<Service, string> = {
    data: 'services/data-server/dist/cli.js',
    message: 'services/message-server/dist/cli.js',
    information: 'services/information-server/dist/cli.js',
  };
  const stopAll = async () => {
    for (const name of ['information', 'message', 'data'] as const) {
      await Promise.all(children[name].map((child) => stop(child)));
    }
    await stop(sim);
    await bank.stop();
    const conn = await amqp.connect(servers.amqp);
    await deleteTopology(await conn.createChannel(), busNames(prefix));
    await conn.close();
    const admin = openDatabase(servers.mysql, { min: 0, max: 1 });
    await admin.raw(`DROP DATABASE IF EXISTS \`outband_bench_${id}\``);
    await admin.destroy();
  };
  try {
    await waitOk(`${simUrl}/healthz`);
    for (const name of ['data', 'message', 'information'] as const) {
      // Replicas start together, as a rollout starts them (the data servers race to migrate).
      const started = Array.from({ length: replicas }, (_, r) => startNode(scripts[name], env(r)[name], ['serve']));
      children[name].push(...started);
      await Promise.all(started.map((_, r) => waitOk(ready(r)[name])));
    }
  } catch (e) {
    await stopAll();
    throw e;
  }
  let token = { value: '', until: 0 };
  return {
    baseUrl: `http://127.0.0.1:${httpPorts[0]}`,
    baseUrls: httpPorts.map((p) => `http://127.0.0.1:${p}`),
    simUrl,
    smppPort,
    bank,
    verifiers,
    payers,
    token() {
      if (Date.now() > token.until) {
        const value = jwt.sign({}, Buffer.from(merchant.secret, 'base64'), {
          algorithm: 'HS256',
          keyid: merchant.kid,
          issuer: merchant.id,
          audience: 'outband',
          expiresIn: 240,
        });
        token = { value, until: Date.now() + 120_000 };
      }
      return token.value;
    },
    peakRss: () => ({
      data: Math.max(...children.data.map((c) => peakRssMb(c.pid))),
      message: Math.max(...children.message.map((c) => peakRssMb(c.pid))),
      information: Math.max(...children.information.map((c) => peakRssMb(c.pid))),
    }),
    cpuSeconds: () => ({
      data: children.data.reduce((n, c) => n + cpuSecondsOf(c.pid), 0),
      message: children.message.reduce((n, c) => n + cpuSecondsOf(c.pid), 0),
      information: children.information.reduce((n, c) => n + cpuSecondsOf(c.pid), 0),
    }),
    stop: stopAll,
  };
}
