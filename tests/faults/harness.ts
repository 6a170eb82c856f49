import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import jwt from 'jsonwebtoken';
import { startBankSimulator, type BankSimulator } from '@outband/bank-simulator';
import { seedDemo } from '@outband/data-server';
import { openDatabase, type Knex } from '@outband/db';
import { createLogger } from '@outband/observability';
import { startSmscSimulator, type SmscSimulator } from '@outband/smsc-simulator';
import { freePort, privateMariadb, privateRabbitmq, privateRedis, type PrivateServer } from '../support/private-servers';
import { startSmppTap, type SmppTap } from './smpp-tap';

export type ServiceName = 'information' | 'data' | 'message';

/** One replica of a service, as a child process of its own (so it can be killed). */
interface ServiceProcess {
  child: ChildProcess | undefined;
  readyUrl: string;
  log: string;
  env: Record<string, string>;
}

export interface HarnessOptions {
  subscribers: number;
  logDir: string;
  /** Replicas of each service on the same servers, each a process of its own. @defaultValue one of each */
  replicas?: Partial<Record<ServiceName, number>>;
}

/** Everything the fault scenarios run against: private servers, simulators, the three services. */
export interface Harness {
  rabbitmq: PrivateServer;
  redis: PrivateServer;
  mariadb: PrivateServer;
  sim: SmscSimulator;
  bank: BankSimulator;
  db: Knex;
  /** The first information server still running (the first one when none is). */
  readonly baseUrl: string;
  /** Every information server still running. */
  baseUrls(): string[];
  /** What each message server's SMPP links carried, by replica. */
  smpp: SmppTap[];
  busPrefix: string;
  verifiers: string[];
  payers: string[];
  token(): string;
  /** The process of a replica while it runs. */
  pid(name: ServiceName, replica?: number): number | undefined;
  start(name: ServiceName, replica?: number): Promise<void>;
  stop(name: ServiceName, signal: 'SIGTERM' | 'SIGKILL', replica?: number): Promise<void>;
  close(): Promise<void>;
}

/** Webhook deliveries one data server has under way for one merchant at once. */
export const webhookSlotsPerMerchant = 4;

const root = join(__dirname, '../..');
const scripts: Record<ServiceName, string> = {
  information: 'services/information-server/dist/cli.js',
  data: 'services/data-server/dist/cli.js',
  message: 'services/message-server/dist/cli.js',
};
const names: ServiceName[] = ['data', 'message', 'information'];
const address = (pool: number, i: number) => `+336${pool}${String(i).padStart(7, '0')}`;
const ring = () => `k1:${randomBytes(32).toString('base64')}`;
const times = <T>(n: number, f: (i: number) => Promise<T>) => Promise.all(Array.from({ length: n }, (_, i) => f(i)));

export async function startHarness(o: HarnessOptions): Promise<Harness> {
  const replicas: Record<ServiceName, number> = { information: 1, data: 1, message: 1, ...o.replicas };
  const [rabbitmq, redis, mariadb] = await Promise.all([privateRabbitmq(), privateRedis({ aof: true }), privateMariadb()]);
  const quiet = createLogger({ service: 'faults', level: 'silent' });
  const sim = await startSmscSimulator({
    smppPort: 0,
    httpPort: 0,
    accounts: [{ systemId: 'outband', password: 'secret' }],
    // A receipt goes to another server's bind where there is one, so replicas exchange receipts.
    behaviour: { receiptDelayMs: 50, receiptBinds: 'other' },
    logger: quiet,
  });
  const smpp = await times(replicas.message, () => startSmppTap({ host: '127.0.0.1', port: sim.smppPort }));
  const payers = Array.from({ length: o.subscribers }, (_, i) => `payer-${i}`);
  const verifiers = Array.from({ length: o.subscribers }, (_, i) => `verifier-${i}`);
  const bank = await startBankSimulator({
    port: 0,
    cards: payers.map((p, i) => ({
      token: `tok_${p}`,
      pan: `4000${String(i).padStart(12, '0')}`,
      customerId: `cu_${p}`,
      currency: 'EUR',
      balance: 1e9,
      blocked: false,
      doNotHonor: false,
    })),
    logger: quiet,
  });
  const databaseUrl = `${mariadb.url}/outband_faults`;
  const merchant = { id: 'shop-faults', kid: 'k1', secret: randomBytes(32).toString('base64') };
  const busPrefix = 'outband-faults';
  const common = {
    AMQP_URL: rabbitmq.url,
    BUS_PREFIX: busPrefix,
    DATABASE_URL: databaseUrl,
    BUS_SEAL_KEYS: ring(),
    // The message servers share their SMSC account's binds through it too.
    REDIS_URL: redis.url,
    REDIS_PREFIX: busPrefix,
    OPS_HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    SHUTDOWN_DEADLINE_MS: '10000',
  };
  const dataKeys = { CODE_KEYS: ring(), CODE_MAC_KEYS: ring(), CONTENT_KEYS: ring() };
  const replicaProcess = (name: ServiceName, i: number, env: Record<string, string>, readyPort: number): ServiceProcess => ({
    child: undefined,
    readyUrl: `http://127.0.0.1:${readyPort}/readyz`,
    log: join(o.logDir, i === 0 ? `${name}.log` : `${name}-${i}.log`),
    env: { ...common, ...env },
  });
  const services: Record<ServiceName, ServiceProcess[]> = {
    data: await times(replicas.data, async (i) => {
      const ops = await freePort();
      return replicaProcess(
        'data',
        i,
        {
          ...dataKeys,
          OPS_PORT: String(ops),
          BANK_URL: bank.url,
          CODE_TTL_SECONDS: '600',
          SEND_LIMIT_PER_ADDRESS: '100000',
          RANGE_LIMIT: '1000000',
          COUNTRY_LIMIT: '1000000',
          MERCHANT_LIMIT_PER_SECOND: '100000',
          PAYMENT_SWEEP_SECONDS: '2',
          PAYMENT_GRACE_SECONDS: '5',
          // The merchant's endpoint is this process, over http; nothing is sent unless one is registered.
          WEBHOOK_ALLOW_HTTP: 'true',
          WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
          WEBHOOK_POLL_MS: '100',
          WEBHOOK_RETRY_BASE_MS: '200',
          // A try's lease is three times this: how long a killed replica's deliveries wait for another.
          WEBHOOK_TIMEOUT_MS: '3000',
          WEBHOOK_CONCURRENCY_PER_MERCHANT: String(webhookSlotsPerMerchant),
        },
        ops,
      );
    }),
    message: await times(replicas.message, async (i) => {
      const ops = await freePort();
      return replicaProcess(
        'message',
        i,
        {
          OPS_PORT: String(ops),
          SMPP_URL: `smpp://127.0.0.1:${smpp[i]?.port ?? 0}`,
          SMPP_SYSTEM_ID: 'outband',
          SMPP_PASSWORD: 'secret',
          // The account's binds: one for each replica once they share them.
          SMPP_BINDS: String(replicas.message),
          // 1+2+4+8+16 s of retries: a 10 s SMSC outage is ridden out (the default, 2 s, gives 62 s).
          SEND_RETRY_BASE_MS: '1000',
        },
        ops,
      );
    }),
    information: await times(replicas.information, async (i) => {
      const http = await freePort();
      return replicaProcess(
        'information',
        i,
        {
          HTTP_PORT: String(http),
          HTTP_HOST: '127.0.0.1',
          OPS_PORT: '0',
          REQUEST_LIMIT_PER_IP: '10000000',
          REQUEST_LIMIT_PER_MERCHANT: '10000000',
          // The harness signs its tokens without a jti (single-use tokens have their own tests).
          JWT_REQUIRE_JTI: 'false',
          RPC_TIMEOUT_MS: '10000',
        },
        http,
      );
    }),
  };
  const replicaOf = (name: ServiceName, replica: number): ServiceProcess => {
    const s = services[name][replica];
    if (!s) {
      throw new Error(`no ${name} server replica ${replica}: the harness runs ${replicas[name]}`);
    }
    return s;
  };
  const urlOf = (s: ServiceProcess) => s.readyUrl.replace(/\/readyz$/, '');

  const start = async (name: ServiceName, replica = 0) => {
    const s = replicaOf(name, replica);
    const log = createWriteStream(s.log, { flags: 'a' });
    const child = spawn(process.execPath, [join(root, scripts[name]), 'serve'], {
      env: { ...process.env, ...s.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    s.child = child;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) {
        throw new Error(`${name} server exited with ${child.exitCode} (see ${s.log})`);
      }
      const ok = await fetch(s.readyUrl)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) {
        return;
      }
      if (Date.now() > deadline) {
        throw new Error(`${name} server not ready (see ${s.log})`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const stop = async (name: ServiceName, signal: 'SIGTERM' | 'SIGKILL', replica = 0) => {
    const s = replicaOf(name, replica);
    const child = s.child;
    s.child = undefined;
    if (child && child.exitCode === null) {
      await new Promise<void>((r) => {
        child.once('exit', () => r());
        child.kill(signal);
      });
    }
  };
  const stopAll = async (signal: 'SIGTERM' | 'SIGKILL') => {
    for (const name of [...names].reverse()) {
      await times(replicas[name], (i) => stop(name, signal, i));
    }
  };
  // Torn down even when a test fails or the run is interrupted.
  process.on('exit', () => names.forEach((name) => services[name].forEach((s) => s.child?.kill('SIGKILL'))));

  try {
    // Together, on an empty database: the data servers race for its migrations, and both start.
    await times(replicas.data, (i) => start('data', i));
    await seedDemo(databaseUrl, {
      merchant: { id: merchant.id, name: 'Fault shop', keys: [{ kid: merchant.kid, alg: 'HS256', key: merchant.secret }] },
      subscribers: [
        ...verifiers.map((identifier, i) => ({ identifier, address: address(1, i) })),
        ...payers.map((identifier, i) => ({ identifier, address: address(2, i), cardToken: `tok_${identifier}` })),
      ],
    });
    await times(replicas.message, (i) => start('message', i));
    await times(replicas.information, (i) => start('information', i));
  } catch (e) {
    // Nothing is left running when the harness cannot start.
    await stopAll('SIGKILL');
    await Promise.all([sim.stop(), bank.stop(), ...smpp.map((t) => t.close())]);
    await Promise.all([rabbitmq.destroy(), redis.destroy(), mariadb.destroy()]);
    throw e;
  }
  const db = openDatabase(databaseUrl, { min: 0, max: 4 });
  const baseUrls = () => services.information.filter((s) => s.child).map(urlOf);
  return {
    rabbitmq,
    redis,
    mariadb,
    sim,
    bank,
    db,
    get baseUrl() {
      return baseUrls()[0] ?? urlOf(replicaOf('information', 0));
    },
    baseUrls,
    smpp,
    busPrefix,
    verifiers,
    payers,
    token: () =>
      jwt.sign({}, Buffer.from(merchant.secret, 'base64'), {
        algorithm: 'HS256',
        issuer: merchant.id,
        audience: 'outband',
        expiresIn: 300,
        keyid: merchant.kid,
      }),
    pid: (name, replica = 0) => replicaOf(name, replica).child?.pid,
    start,
    stop,
    async close() {
      await db.destroy();
      await stopAll('SIGTERM');
      await Promise.all([sim.stop(), bank.stop(), ...smpp.map((t) => t.close())]);
      await Promise.all([rabbitmq.destroy(), redis.destroy(), mariadb.destroy()]);
    },
  };
}

export { address };
