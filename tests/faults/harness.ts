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

export type ServiceName = 'information' | 'data' | 'message';

/** One of the three services, as a child process of its own (so it can be killed). */
interface ServiceProcess {
  child: ChildProcess | undefined;
  readyUrl: string;
  script: string;
  env: Record<string, string>;
}

/** Everything the fault scenarios run against: private servers, simulators, the three services. */
export interface Harness {
  rabbitmq: PrivateServer;
  redis: PrivateServer;
  mariadb: PrivateServer;
  sim: SmscSimulator;
  bank: BankSimulator;
  db: Knex;
  baseUrl: string;
  busPrefix: string;
  verifiers: string[];
  payers: string[];
  token(): string;
  start(name: ServiceName): Promise<void>;
  stop(name: ServiceName, signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
  close(): Promise<void>;
}

const root = join(__dirname, '../..');
const scripts: Record<ServiceName, string> = {
  information: 'services/information-server/dist/cli.js',
  data: 'services/data-server/dist/cli.js',
  message: 'services/message-server/dist/cli.js',
};
const address = (pool: number, i: number) => `+336${pool}${String(i).padStart(7, '0')}`;
const ring = () => `k1:${randomBytes(32).toString('base64')}`;

export async function startHarness(o: { subscribers: number; logDir: string }): Promise<Harness> {
  const [rabbitmq, redis, mariadb] = await Promise.all([privateRabbitmq(), privateRedis({ aof: true }), privateMariadb()]);
  const quiet = createLogger({ service: 'faults', level: 'silent' });
  const sim = await startSmscSimulator({
    smppPort: 0,
    httpPort: 0,
    accounts: [{ systemId: 'outband', password: 'secret' }],
    behaviour: { receiptDelayMs: 50 },
    logger: quiet,
  });
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
  await seedDemo(databaseUrl, {
    merchant: { id: merchant.id, name: 'Fault shop', keys: [{ kid: merchant.kid, alg: 'HS256', key: merchant.secret }] },
    subscribers: [
      ...verifiers.map((identifier, i) => ({ identifier, address: address(1, i) })),
      ...payers.map((identifier, i) => ({ identifier, address: address(2, i), cardToken: `tok_${identifier}` })),
    ],
  });
  const busPrefix = 'outband-faults';
  const [httpPort, dataOps, messageOps] = [await freePort(), await freePort(), await freePort()];
  const common = {
    AMQP_URL: rabbitmq.url,
    BUS_PREFIX: busPrefix,
    DATABASE_URL: databaseUrl,
    BUS_SEAL_KEYS: ring(),
    REDIS_URL: redis.url,
    REDIS_PREFIX: busPrefix,
    OPS_HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
    SHUTDOWN_DEADLINE_MS: '10000',
  };
  const services: Record<ServiceName, ServiceProcess> = {
    data: {
      child: undefined,
      script: scripts.data,
      readyUrl: `http://127.0.0.1:${dataOps}/readyz`,
      env: {
        ...common,
        OPS_PORT: String(dataOps),
        CODE_KEYS: ring(),
        CODE_MAC_KEYS: ring(),
        CONTENT_KEYS: ring(),
        BANK_URL: bank.url,
        CODE_TTL_SECONDS: '600',
        SEND_LIMIT_PER_ADDRESS: '100000',
        RANGE_LIMIT: '1000000',
        COUNTRY_LIMIT: '1000000',
        MERCHANT_LIMIT_PER_SECOND: '100000',
        PAYMENT_SWEEP_SECONDS: '2',
        PAYMENT_GRACE_SECONDS: '5',
      },
    },
    message: {
      child: undefined,
      script: scripts.message,
      readyUrl: `http://127.0.0.1:${messageOps}/readyz`,
      env: {
        ...common,
        OPS_PORT: String(messageOps),
        SMPP_URL: `smpp://127.0.0.1:${sim.smppPort}`,
        SMPP_SYSTEM_ID: 'outband',
        SMPP_PASSWORD: 'secret',
        // 1+2+4+8+16 s of retries: a 10 s SMSC outage is ridden out (the default, 2 s, gives 62 s).
        SEND_RETRY_BASE_MS: '1000',
      },
    },
    information: {
      child: undefined,
      script: scripts.information,
      readyUrl: `http://127.0.0.1:${httpPort}/readyz`,
      env: {
        ...common,
        HTTP_PORT: String(httpPort),
        HTTP_HOST: '127.0.0.1',
        OPS_PORT: '0',
        REQUEST_LIMIT_PER_IP: '10000000',
        REQUEST_LIMIT_PER_MERCHANT: '10000000',
        // The harness signs its tokens without a jti (single-use tokens have their own tests).
        JWT_REQUIRE_JTI: 'false',
        RPC_TIMEOUT_MS: '10000',
      },
    },
  };

  const start = async (name: ServiceName) => {
    const s = services[name];
    const log = createWriteStream(join(o.logDir, `${name}.log`), { flags: 'a' });
    const child = spawn(process.execPath, [join(root, s.script), 'serve'], {
      env: { ...process.env, ...s.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.pipe(log);
    child.stderr.pipe(log);
    s.child = child;
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (child.exitCode !== null) {
        throw new Error(`${name} server exited with ${child.exitCode} (see ${o.logDir}/${name}.log)`);
      }
      const ok = await fetch(s.readyUrl)
        .then((r) => r.ok)
        .catch(() => false);
      if (ok) {
        return;
      }
      if (Date.now() > deadline) {
        throw new Error(`${name} server not ready (see ${o.logDir}/${name}.log)`);
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  };
  const stop = async (name: ServiceName, signal: 'SIGTERM' | 'SIGKILL') => {
    const child = services[name].child;
    services[name].child = undefined;
    if (child && child.exitCode === null) {
      await new Promise<void>((r) => {
        child.once('exit', () => r());
        child.kill(signal);
      });
    }
  };
  // Torn down even when a test fails or the run is interrupted.
  process.on('exit', () => Object.values(services).forEach((s) => s.child?.kill('SIGKILL')));

  try {
    await start('data');
    await start('message');
    await start('information');
  } catch (e) {
    // Nothing is left running when the harness cannot start.
    for (const name of ['information', 'message', 'data'] as const) {
      await stop(name, 'SIGKILL');
    }
    await sim.stop();
    await bank.stop();
    await Promise.all([rabbitmq.destroy(), redis.destroy(), mariadb.destroy()]);
    throw e;
  }
  const db = openDatabase(databaseUrl, { min: 0, max: 4 });
  return {
    rabbitmq,
    redis,
    mariadb,
    sim,
    bank,
    db,
    baseUrl: `http://127.0.0.1:${httpPort}`,
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
    start,
    stop,
    async close() {
      await db.destroy();
      for (const name of ['information', 'message', 'data'] as const) {
        await stop(name, 'SIGTERM');
      }
      await sim.stop();
      await bank.stop();
      await Promise.all([rabbitmq.destroy(), redis.destroy(), mariadb.destroy()]);
    },
  };
}

export { address };
