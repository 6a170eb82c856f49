import { resolve } from 'node:path';
import { MemoryBroker } from '@outband/bus';
import { busNames } from '@outband/contracts';
import { openDatabase } from '@outband/db';
import { createLogger, stopOnSignals } from '@outband/observability';
import { demoCards, startBankSimulator } from '@outband/bank-simulator';
import { startSmscSimulator } from '@outband/smsc-simulator';
import { loadDataServerConfig, seedDemo, startDataServer } from '@outband/data-server';
import { loadMessageServerConfig, startMessageServer } from '@outband/message-server';
import { loadInformationServerConfig, startInformationServer } from '@outband/information-server';
import { startDemoShop } from '@outband/demo-shop';
import { loadDevEnv } from './dev-env';
import { inMemoryTtlStore } from './embedded-stores';

const root = resolve(__dirname, '../../..');
export const devEnvPath = resolve(root, '.outband/dev.env');

/**
 * `pnpm start`: the whole suite in this process. Without `AMQP_URL`, `REDIS_URL` and `DATABASE_URL`
 * it runs on the in-process bus, the in-memory TTL store and an SQLite file (the embedded default);
 * with them, on RabbitMQ, Redis and MySQL.
 */
async function main(): Promise<void> {
  const env = { ...loadDevEnv(devEnvPath), ...process.env };
  const level = env.LOG_LEVEL ?? 'info';
  const logger = createLogger({ service: 'launcher', level });
  const loggerOf = (service: string) => createLogger({ service, level });
  // A development suite with demo keys: every listener on loopback unless BIND_ADDRESS says
  // otherwise (HTTP_HOST and OPS_HOST still choose for the services' ports).
  const host = env.BIND_ADDRESS ?? '127.0.0.1';
  // How the suite reaches itself: a wildcard address is reached on loopback.
  const local = host === '0.0.0.0' ? '127.0.0.1' : host;
  const smppPort = Number(env.SMSC_SMPP_PORT ?? 2775);
  const inboxPort = Number(env.SMSC_HTTP_PORT ?? 8025);
  const sim = await startSmscSimulator({
    smppPort,
    httpPort: inboxPort,
    host,
    accounts: [{ systemId: 'outband', password: 'secret' }],
    logger: loggerOf('smsc-simulator'),
  });
  const bank = await startBankSimulator({
    port: Number(env.BANK_HTTP_PORT ?? 8030),
    host,
    cards: demoCards,
    logger: loggerOf('bank-simulator'),
  });
  // A demo sends many codes to a few handsets: a higher per-address limit than production's 5.
  const serviceEnv = {
    BANK_URL: `http://${local}:${new URL(bank.url).port}`,
    SMPP_URL: `smpp://${local}:${sim.smppPort}`,
    SMPP_SYSTEM_ID: 'outband',
    SMPP_PASSWORD: 'secret',
    SEND_LIMIT_PER_ADDRESS: '30',
    // Webhooks to a receiver on this machine, over http (production: https to public hosts only).
    WEBHOOK_ALLOW_HTTP: 'true',
    WEBHOOK_ALLOWED_HOSTS: '127.0.0.1,localhost',
    DATABASE_URL: `sqlite:${resolve(root, '.outband/outband.db')}`,
    HTTP_HOST: host,
    OPS_HOST: host,
    ...env,
  };
  const dataConfig = loadDataServerConfig(serviceEnv);
  await seedDemo(dataConfig.DATABASE_URL, {
    merchant: { id: 'demo-shop', name: 'Demo shop', keys: [{ kid: 'demo-1', alg: 'HS256', key: env.DEMO_MERCHANT_SECRET ?? '' }] },
    subscribers: [
      { identifier: 'alice', address: '+33612345678', cardToken: 'tok_alice', bankCustomerId: 'cu_alice' },
      { identifier: 'bob', address: '+4915112345678', locale: 'en', cardToken: 'tok_bob', bankCustomerId: 'cu_bob' },
      { identifier: 'claire', address: '+33611223344', locale: 'fr', cardToken: 'tok_claire', bankCustomerId: 'cu_claire' },
      { identifier: 'carol', address: '+33698765432', status: 'suspended', cardToken: 'tok_carol', bankCustomerId: 'cu_carol' },
      { identifier: 'pager-1', address: '+33756000001', receiverKind: 'pager-numeric' },
    ],
    // Up to 30 EUR a payment needs no code (Fig. 10); the trustee keeps 1.5 %.
    policy: { limitAmount: 3_000, serviceChargeBps: 150 },
  });
  // No broker, Redis or MySQL configured: the in-process bus, the in-memory TTL store and one
  // SQLite connection shared by the services stand in.
  const broker = env.AMQP_URL ? undefined : new MemoryBroker(busNames(dataConfig.BUS_PREFIX));
  const sqlite = dataConfig.DATABASE_URL.startsWith('sqlite:') ? openDatabase(dataConfig.DATABASE_URL) : undefined;
  const embeddedFor = (service: string, store: boolean) => ({
    ...(broker ? { bus: broker.connect(loggerOf(service)) } : {}),
    ...(store && !env.REDIS_URL ? { redis: inMemoryTtlStore() } : {}),
    ...(sqlite ? { db: sqlite } : {}),
  });
  const data = await startDataServer(dataConfig, loggerOf('data-server'), embeddedFor('data-server', true));
  const message = await startMessageServer(
    loadMessageServerConfig(serviceEnv),
    loggerOf('message-server'),
    embeddedFor('message-server', false),
  );
  const info = await startInformationServer(
    loadInformationServerConfig(serviceEnv),
    loggerOf('information-server'),
    embeddedFor('information-server', true),
  );
  const phoneUrl = `http://${local}:${sim.httpPort}/phone`;
  const shop = await startDemoShop({
    port: Number(env.DEMO_SHOP_PORT ?? 8050),
    host,
    outband: {
      baseUrl: `http://${local}:${info.port}`,
      merchantId: 'demo-shop',
      key: { kid: 'demo-1', alg: 'HS256', secret: env.DEMO_MERCHANT_SECRET ?? '' },
    },
    phoneUrl,
    logger: loggerOf('demo-shop'),
  });
  stopOnSignals(logger, async () => {
    await shop.stop();
    await info.stop();
    await message.stop();
    await data.stop();
    await sqlite?.destroy();
    await sim.stop();
    await bank.stop();
  });
  const lines = [
    '',
    `Outband is running in one process: bus ${broker ? 'in-process' : hidePassword(env.AMQP_URL ?? '')}, TTL store ${
      env.REDIS_URL ? hidePassword(env.REDIS_URL) : 'in memory'
    }, database ${sqlite ? `SQLite ${dataConfig.DATABASE_URL.slice('sqlite:'.length)}` : hidePassword(dataConfig.DATABASE_URL)}`,
    '  (set AMQP_URL, REDIS_URL and DATABASE_URL to run on RabbitMQ, Redis and MySQL)',
    `  demo shop        ${shop.url}   (sign in as alice, bob or claire; baskets above 30 € need a code)`,
    `  phones           ${phoneUrl}   (the texts each handset received; reply to answer a reverse-channel code)`,
    `  merchant API     http://${local}:${info.port}/v1/verifications`,
    `  payments         http://${local}:${info.port}/v1/payments   (bank simulator http://${local}:${new URL(bank.url).port}/cards/tok_alice)`,
    `  ops              http://${local}:${info.port}/readyz; /metrics on :${info.opsPort}, data server :${data.opsPort}, message server :${message.opsPort}`,
    '  merchant         demo-shop, key id demo-1 (HS256 secret in .outband/dev.env)',
    '  subscribers      alice, bob, claire (fr), carol (suspended), pager-1 (numeric pager)',
    '  a merchant token pnpm --silent merchant-token',
    '',
  ];
  process.stdout.write(lines.join('\n'));
}

/** A server URL as it may be printed: without its user and password. */
function hidePassword(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//');
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
