import { resolve } from 'node:path';
import { MemoryBroker } from '@outband/bus';
import { busNames } from '@outband/contracts';
import { openDatabase } from '@outband/db';
import { createLogger, stopOnSignals } from '@outband/observability';
import { demoCards, startBankSimulator } from '@outband/bank-simulator';
import { startNetworkSimulator } from '@outband/network-simulator';
import { startSmscSimulator } from '@outband/smsc-simulator';
import { loadDataServerConfig, seedDemo, startDataServer } from '@outband/data-server';
import { loadMessageServerConfig, startMessageServer } from '@outband/message-server';
import { loadInformationServerConfig, startInformationServer } from '@outband/information-server';
import { startDemoShop } from '@outband/demo-shop';
import { inMemoryTtlStore, inMemoryTtlStoreStartedAt } from '@outband/redis-limits';
import { loadDevEnv } from './dev-env';
import { demoSubscribers, subscriberLines } from './demo-seed';
import { LaunchOutput, type LogFormat } from './launch-output';
import { asPortTaken, requireFreePorts, type Listener } from './listeners';

const root = resolve(__dirname, '../../..');
export const devEnvPath = resolve(root, '.outband/dev.env');

/**
 * `pnpm start`: the whole suite in this process. Without `AMQP_URL`, `REDIS_URL` and `DATABASE_URL`
 * it runs on the in-process bus, the in-memory TTL store and an SQLite file (the embedded default);
 * with them, on RabbitMQ, Redis and MySQL.
 */
async function main(output: LaunchOutput, listeners: Listener[]): Promise<void> {
  const env = { ...loadDevEnv(devEnvPath), ...process.env };
  const level = env.LOG_LEVEL ?? 'info';
  const logger = createLogger({ service: 'launcher', level, destination: output });
  const loggerOf = (service: string) => createLogger({ service, level, destination: output });
  // A development suite with demo keys: every listener on loopback unless BIND_ADDRESS says
  // otherwise (HTTP_HOST and OPS_HOST still choose for the services' ports).
  const host = env.BIND_ADDRESS ?? '127.0.0.1';
  // How the suite reaches itself: a wildcard address is reached on loopback.
  const local = host === '0.0.0.0' ? '127.0.0.1' : host;
  const smppPort = Number(env.SMSC_SMPP_PORT ?? 2775);
  const inboxPort = Number(env.SMSC_HTTP_PORT ?? 8025);
  const bankPort = Number(env.BANK_HTTP_PORT ?? 8030);
  const networkPort = Number(env.NETWORK_SIM_HTTP_PORT ?? 8035);
  const shopPort = Number(env.DEMO_SHOP_PORT ?? 8050);
  // Three services in one process: three ops ports, OPS_PORT and the two after it (0: any free ones).
  const opsBase = Number(env.OPS_PORT ?? 9101);
  const opsPort = (offset: number) => (opsBase === 0 ? 0 : opsBase + offset);
  const opsHost = env.OPS_HOST ?? host;
  listeners.push(
    { port: Number(env.HTTP_PORT ?? 8080), host: env.HTTP_HOST ?? host, variable: 'HTTP_PORT' },
    { port: smppPort, host, variable: 'SMSC_SMPP_PORT' },
    { port: inboxPort, host, variable: 'SMSC_HTTP_PORT' },
    { port: bankPort, host, variable: 'BANK_HTTP_PORT' },
    { port: networkPort, host, variable: 'NETWORK_SIM_HTTP_PORT' },
    { port: shopPort, host, variable: 'DEMO_SHOP_PORT' },
    { port: opsPort(0), host: opsHost, variable: 'OPS_PORT' },
    { port: opsPort(1), host: opsHost, variable: 'OPS_PORT', derived: "the data server's ops port is OPS_PORT+1" },
    { port: opsPort(2), host: opsHost, variable: 'OPS_PORT', derived: "the message server's ops port is OPS_PORT+2" },
  );
  // Before anything is opened: a second `pnpm start` says so in one line and leaves the first alone.
  await requireFreePorts(listeners);
  // The operator's network APIs (SIM swap, number portability): the phones' "Swap SIM" buttons call it.
  const network = await startNetworkSimulator({
    port: networkPort,
    host,
    client: { id: 'outband', secret: 'secret' },
    mnpApiKey: 'secret',
    logger: loggerOf('network-simulator'),
  });
  const networkUrl = `http://${local}:${network.port}`;
  const sim = await startSmscSimulator({
    smppPort,
    httpPort: inboxPort,
    host,
    accounts: [{ systemId: 'outband', password: 'secret' }],
    networkUrl,
    logger: loggerOf('smsc-simulator'),
  });
  const bank = await startBankSimulator({
    port: bankPort,
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
    NETWORK_API_URL: networkUrl,
    NETWORK_CLIENT_ID: 'outband',
    NETWORK_CLIENT_SECRET: 'secret',
    MNP_LOOKUP_URL: `${networkUrl}/mnp/v1/lookup`,
    MNP_API_KEY: 'secret',
    // Silent verification: the operator sends the device's browser back to the information server.
    SILENT_REDIRECT_URL: `http://${local}:${env.HTTP_PORT ?? 8080}/silent/callback`,
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
    subscribers: demoSubscribers,
    // Up to 30 EUR a payment needs no code (Fig. 10); the trustee keeps 1.5 %; no code goes to a
    // number whose SIM changed in the last 3 days (the phones' "Swap SIM" shows it).
    policy: { limitAmount: 3_000, serviceChargeBps: 150, simSwapAction: 'refuse', simSwapHours: 72 },
  });
  // No broker, Redis or MySQL configured: the in-process bus, the in-memory TTL store and one
  // SQLite connection shared by the services stand in.
  const broker = env.AMQP_URL ? undefined : new MemoryBroker(busNames(dataConfig.BUS_PREFIX));
  const sqlite = dataConfig.DATABASE_URL.startsWith('sqlite:') ? openDatabase(dataConfig.DATABASE_URL) : undefined;
  // A Redis Cluster is a Redis too: only with neither is the store kept in memory.
  const redisGiven = env.REDIS_URL ?? env.REDIS_CLUSTER_NODES;
  const embeddedFor = (service: string, store: boolean) => ({
    ...(broker ? { bus: broker.connect(loggerOf(service)) } : {}),
    ...(store && !redisGiven ? { redis: inMemoryTtlStore() } : {}),
    ...(sqlite ? { db: sqlite } : {}),
  });
  const dataEmbedded = embeddedFor('data-server', true);
  const storeStartedAt = redisGiven ? undefined : inMemoryTtlStoreStartedAt();
  const data = await startDataServer(loadDataServerConfig({ ...serviceEnv, OPS_PORT: String(opsPort(1)) }), loggerOf('data-server'), {
    ...dataEmbedded,
    ...(storeStartedAt ? { ttlStoreStartedAt: storeStartedAt } : {}),
  });
  const message = await startMessageServer(
    loadMessageServerConfig({ ...serviceEnv, OPS_PORT: String(opsPort(2)) }),
    loggerOf('message-server'),
    embeddedFor('message-server', false),
  );
  const infoConfig = loadInformationServerConfig({
    // The ops page shows the queues and binds of all three.
    OPS_METRICS_URLS: [data.opsPort, message.opsPort].map((port) => `http://${local}:${port}/metrics`).join(','),
    ...serviceEnv,
    OPS_PORT: String(opsPort(0)),
  });
  const info = await startInformationServer(infoConfig, loggerOf('information-server'), embeddedFor('information-server', true));
  const phoneUrl = `http://${local}:${sim.httpPort}/phone`;
  const shop = await startDemoShop({
    port: shopPort,
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
    await network.stop();
  });
  const api = `http://${local}:${info.port}`;
  const { name: opsUser = '', token: opsPassword = '' } = infoConfig.ADMIN_TOKENS?.[0] ?? {};
  const [firstSubscriber, ...otherSubscribers] = subscriberLines();
  const lines = [
    '',
    `Outband is running in one process: bus ${broker ? 'in-process' : hidePassword(env.AMQP_URL ?? '')}, TTL store ${
      redisGiven ? hidePassword(redisGiven) : 'in memory'
    }, database ${sqlite ? `SQLite ${dataConfig.DATABASE_URL.slice('sqlite:'.length)}` : hidePassword(dataConfig.DATABASE_URL)}`,
    '  (set AMQP_URL, REDIS_URL and DATABASE_URL to run on RabbitMQ, Redis and MySQL)',
    `  demo shop        ${shop.url}   (sign in as alice, bob or claire; baskets above 30 € need a code)`,
    `  phones           ${phoneUrl}   (the texts each handset received; reply to answer a reverse-channel code; Swap SIM to see a code refused)`,
    `  API docs         ${api}/docs`,
    `  merchant API     ${api}/v1/verifications`,
    `  payments         ${api}/v1/payments   (bank simulator http://${local}:${new URL(bank.url).port}/cards/tok_alice)`,
    ...(opsUser
      ? [`  ops page         ${api}/ops   (queues, rates, SMPP binds; user ${opsUser}, password ${opsPassword})`]
      : ['  ops page         none: ADMIN_TOKENS is empty']),
    `  metrics          /metrics on :${info.opsPort}, data server :${data.opsPort}, message server :${message.opsPort}; ${api}/readyz`,
    '  merchant         demo-shop, key id demo-1 (HS256 secret in .outband/dev.env)',
    `  subscribers      ${firstSubscriber ?? ''}`,
    ...otherSubscribers.map((line) => `                   ${line}`),
    '  a merchant token pnpm --silent merchant-token',
    `  logs below       LOG_LEVEL=debug for more, LOG_FORMAT=${format === 'pretty' ? 'json for JSON' : 'pretty for one line each'}`,
    '',
    '',
  ];
  output.release(lines.join('\n'));
}

/** A server URL as it may be printed: without its user and password. */
function hidePassword(url: string): string {
  return url.replace(/\/\/[^@/]*@/g, '//');
}

// A terminal gets one readable line per log entry; a pipe or a file gets JSON, as deployed services write.
const format: LogFormat =
  process.env.LOG_FORMAT === 'json' || process.env.LOG_FORMAT === 'pretty'
    ? process.env.LOG_FORMAT
    : process.stdout.isTTY
      ? 'pretty'
      : 'json';
const output = new LaunchOutput(process.stdout, format, process.stdout.isTTY && !process.env.NO_COLOR);
const listeners: Listener[] = [];
main(output, listeners).catch((err: unknown) => {
  output.flush();
  const e = asPortTaken(err, listeners);
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
