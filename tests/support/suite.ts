import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import jwt from 'jsonwebtoken';
import * as amqp from 'amqplib';
import { MemoryBroker, deleteTopology } from '@outband/bus';
import { inMemoryTtlStore } from '@outband/redis-limits';
import { busNames } from '@outband/contracts';
import { servers } from './servers';
import { createLogger, type Logger } from '@outband/observability';
import { openDatabase } from '@outband/db';
import { demoCards, startBankSimulator, type BankSimulator } from '@outband/bank-simulator';
import { startSmscSimulator, type SmscSimulator, type SmscSimulatorOptions } from '@outband/smsc-simulator';
import { dataServerEnv, seedDemo, startDataServer, type DataServerHandle, type DemoSeed } from '@outband/data-server';
import { messageServerEnv, startMessageServer, type MessageServerHandle } from '@outband/message-server';
import { informationServerEnv, startInformationServer, type InformationServerHandle } from '@outband/information-server';

export { servers };

export interface SuiteOptions {
  env?: Record<string, string>;
  simulator?: Partial<SmscSimulatorOptions>;
  /** Message server settings that depend on the primary simulator (e.g. SMPP_CONNECTIONS). */
  messageEnv?: (sim: SmscSimulator) => Record<string, string>;
  /** Another MySQL server than the shared one (`mysql://root@127.0.0.1:port`), e.g. a private instance. */
  mysql?: string;
  /** Another RabbitMQ than the shared one: its AMQP_URL, e.g. the nodes of a private cluster, comma-separated; the suite leaves its queues there. */
  amqp?: string;
  /** Information server settings that depend on the other servers (their ops ports). */
  infoEnv?: (ports: { dataOps: number; messageOps: number }) => Record<string, string>;
  /** Extra merchants and subscribers besides the default ones. */
  seed?: DemoSeed[];
  /** The embedded default: in-process bus, in-memory TTL stores and SQLite instead of RabbitMQ, Redis and MySQL. */
  embedded?: boolean;
}

export interface Suite {
  baseUrl: string;
  id: string;
  databaseUrl: string;
  redisPrefix: string;
  busPrefix: string;
  sim: SmscSimulator;
  /** The simulated bank, with the demo cards (tok_alice, tok_bob …). */
  bank: BankSimulator;
  /** Every log line any service wrote, as JSON text. */
  logs: string[];
  data: DataServerHandle;
  message: MessageServerHandle;
  info: InformationServerHandle;
  merchant: { id: string; kid: string; secret: string };
  keys: { code: string; mac: string; seal: string };
  /** Stops the message server (as on SIGTERM) and starts a new one on the same bus and database. */
  restartMessageServer(): Promise<void>;
  /** Stops the data server and starts a new one on the same stores, with env overrides; `whileStopped` runs in between. */
  restartDataServer(env?: Record<string, string>, whileStopped?: () => Promise<void>): Promise<void>;
  /** A valid merchant token (HS256, 5 min) for the default merchant, unless told otherwise. */
  token(claims?: jwt.SignOptions & { secret?: string; payload?: object }): string;
  stop(): Promise<void>;
}

export const subscribers = {
  alice: { identifier: 'alice', address: '+33612345678', cardToken: 'tok_alice', bankCustomerId: 'cu_alice' },
  bob: { identifier: 'bob', address: '+4915112345678', cardToken: 'tok_bob', bankCustomerId: 'cu_bob' },
  carol: { identifier: 'carol', address: '+33698765432', status: 'suspended' as const },
  pager: { identifier: 'pager-7', address: '+33756000007', receiverKind: 'pager-numeric' as const },
  pagerAlpha: { identifier: 'pager-a', address: '+33756000008', receiverKind: 'pager-alpha' as const },
};

function ring(): string {
  return `k1:${randomBytes(32).toString('base64')}`;
}

/** Starts the SMSC simulator and the three services in this process, isolated by fresh names. */
export async function startSuite(options: SuiteOptions = {}): Promise<Suite> {
  const id = `t${randomBytes(5).toString('hex')}`;
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      logs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  const logger = (service: string): Logger => createLogger({ service, level: 'debug', destination: sink });
  const mysql = options.mysql ?? servers.mysql;
  const amqpUrl = options.amqp ?? servers.amqp;
  // OUTBAND_TEST_EMBEDDED=1 runs a suite on the embedded default (the `embedded` test group).
  const embedded = options.embedded ?? process.env.OUTBAND_TEST_EMBEDDED === '1';
  const sqliteDir = embedded ? mkdtempSync(join(tmpdir(), `outband-test-${id}-`)) : undefined;
  const databaseUrl = sqliteDir ? `sqlite:${join(sqliteDir, 'outband.db')}` : `${mysql}/outband_test_${id}`;
  const merchant = { id: `shop-${id}`, kid: 'k1', secret: randomBytes(32).toString('base64') };
  const keys = { code: ring(), mac: ring(), seal: ring() };

  await seedDemo(databaseUrl, {
    merchant: { id: merchant.id, name: 'Test shop', keys: [{ kid: merchant.kid, alg: 'HS256', key: merchant.secret }] },
    subscribers: Object.values(subscribers),
  });
  for (const s of options.seed ?? []) {
    await seedDemo(databaseUrl, s);
  }

  const sim = await startSmscSimulator({
    smppPort: 0,
    httpPort: 0,
    accounts: [{ systemId: 'outband', password: 'secret' }],
    behaviour: { receiptDelayMs: 50 },
    logger: logger('smsc-simulator'),
    ...options.simulator,
  });

  const bank = await startBankSimulator({ port: 0, cards: demoCards, logger: logger('bank-simulator') });

  const common = {
    AMQP_URL: amqpUrl,
    BUS_PREFIX: `outband-${id}`,
    DATABASE_URL: databaseUrl,
    BUS_SEAL_KEYS: keys.seal,
    OPS_PORT: '0',
    OPS_HOST: '127.0.0.1',
    LOG_LEVEL: 'debug',
  };
  const env = options.env ?? {};
  // Tests send many codes to a few handsets: the per-address limit has its own test.
  const dataEnv = {
    SEND_LIMIT_PER_ADDRESS: '1000',
    // Tests start bursts faster than a merchant's default 50 a second: that limit has its own test.
    MERCHANT_LIMIT_PER_SECOND: '100000',
    RANGE_LIMIT: '100000',
    // Tests' webhook receivers listen on 127.0.0.1 over http; refusals have their own test.
    WEBHOOK_ALLOW_HTTP: 'true',
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1',
    // Tests set policies in the database behind the data server (seedDemo): read them every time.
    // The policy cache has its own tests (merchants/policy-cache.test.ts, admin-api.int.test.ts).
    MERCHANT_POLICY_CACHE_MS: '0',
    ...common,
    REDIS_URL: servers.redis,
    REDIS_PREFIX: `outband-${id}`,
    CODE_KEYS: keys.code,
    CODE_MAC_KEYS: keys.mac,
    CONTENT_KEYS: ring(),
    BANK_URL: bank.url,
    BANK_TIMEOUT_MS: '500',
    ...env,
  };
  const broker = embedded ? new MemoryBroker(busNames(`outband-${id}`)) : undefined;
  // One SQLite connection for the services of the process, as the launcher does.
  const sqlite = sqliteDir ? openDatabase(databaseUrl) : undefined;
  const embeddedFor = (service: string, store: boolean) =>
    broker ? { bus: broker.connect(logger(service)), ...(store ? { redis: inMemoryTtlStore() } : {}), db: sqlite } : {};
  let data = await startDataServer(dataServerEnv.parse(dataEnv), logger('data-server'), embeddedFor('data-server', true));
  const messageConfig = messageServerEnv.parse({
    ...common,
    SMPP_URL: `smpp://127.0.0.1:${sim.smppPort}`,
    SMPP_SYSTEM_ID: 'outband',
    SMPP_PASSWORD: 'secret',
    SEND_RETRY_BASE_MS: '200',
    ...env,
    ...options.messageEnv?.(sim),
  });
  let message = await startMessageServer(messageConfig, logger('message-server'), embeddedFor('message-server', false));
  const info = await startInformationServer(
    informationServerEnv.parse({
      ...common,
      REDIS_URL: servers.redis,
      REDIS_PREFIX: `outband-${id}`,
      HTTP_PORT: '0',
      // Tests send many requests from one address; the request limits have their own test.
      REQUEST_LIMIT_PER_IP: '1000000',
      REQUEST_LIMIT_PER_MERCHANT: '1000000',
      // Tests sign tokens by hand and reuse some; single-use tokens have their own tests.
      JWT_REQUIRE_JTI: 'false',
      HTTP_HOST: '127.0.0.1',
      ...env,
      ...options.infoEnv?.({ dataOps: data.opsPort, messageOps: message.opsPort }),
    }),
    logger('information-server'),
    embeddedFor('information-server', true),
  );

  return {
    baseUrl: `http://127.0.0.1:${info.port}`,
    id,
    databaseUrl,
    redisPrefix: `outband-${id}`,
    busPrefix: `outband-${id}`,
    sim,
    bank,
    logs,
    get data() {
      return data;
    },
    get message() {
      return message;
    },
    info,
    merchant,
    keys,
    async restartMessageServer() {
      await message.stop();
      message = await startMessageServer(messageConfig, logger('message-server'), embeddedFor('message-server', false));
    },
    async restartDataServer(overrides = {}, whileStopped = () => Promise.resolve()) {
      await data.stop();
      await whileStopped();
      data = await startDataServer(
        dataServerEnv.parse({ ...dataEnv, ...overrides }),
        logger('data-server'),
        embeddedFor('data-server', true),
      );
    },
    token(o = {}) {
      const { secret, payload, ...signOptions } = o;
      return jwt.sign(payload ?? {}, Buffer.from(secret ?? merchant.secret, 'base64'), {
        algorithm: 'HS256',
        issuer: merchant.id,
        audience: 'outband',
        expiresIn: 300,
        keyid: merchant.kid,
        ...signOptions,
      });
    },
    async stop() {
      await info.stop();
      await message.stop();
      await data.stop();
      await sim.stop();
      await bank.stop();
      if (sqliteDir) {
        await sqlite?.destroy();
        rmSync(sqliteDir, { recursive: true, force: true });
        return;
      }
      // Another broker's queues are left to its owner (a private cluster goes away whole).
      if (!options.amqp) {
        const conn = await amqp.connect(servers.amqp);
        await deleteTopology(await conn.createChannel(), busNames(`outband-${id}`));
        await conn.close();
      }
      const db = openDatabase(mysql, { min: 0, max: 1 });
      await db.raw(`DROP DATABASE IF EXISTS \`outband_test_${id}\``);
      await db.destroy();
    },
  };
}
