import { z } from 'zod';
import { busEnv, databaseEnv, envBrokerUsers, envInt, envKeyRing, envUrl, logEnv, opsEnv, parseEnv, redisEnv } from '@outband/config';
import { envJson, routingConfig, smscConnection, smsRoute } from './smpp-routing.config';

/**
 * The message server's environment. SMSC connections and routes come as JSON in
 * `SMPP_CONNECTIONS` / `SMPP_ROUTES`; without them, the `SMPP_*` variables describe a single
 * connection and one route for every number.
 */
const fields = z.object({
  ...busEnv,
  /** Broker users whose `message.send` messages are delivered (the `user_id` RabbitMQ vouches for): the data server's. Its own user is trusted too. */
  DATA_SERVER_USERS: envBrokerUsers.default(['outband-data']),
  ...databaseEnv,
  /** Keys that open codes sealed by the data server (id:base64). */
  BUS_SEAL_KEYS: envKeyRing(32),
  /** SMSC connections as JSON (see docs/smpp.md); without it, the `SMPP_*` variables describe a single connection. */
  SMPP_CONNECTIONS: envJson(z.array(smscConnection).min(1)).optional(),
  /** Routes as JSON, by address prefix, with their connections and senders (see docs/smpp.md); without it, one route for every number. */
  SMPP_ROUTES: envJson(z.array(smsRoute).min(1)).optional(),
  /** The SMSC, `smpp://host:port` (single-connection form). */
  SMPP_URL: envUrl('smpp', 'ssmpp').default('smpp://127.0.0.1:2775'),
  /** Bind credentials (single-connection form): required unless `SMPP_CONNECTIONS` is set. */
  SMPP_SYSTEM_ID: z.string().min(1).max(15).optional(),
  /** Bind password (single-connection form): required unless `SMPP_CONNECTIONS` is set. */
  SMPP_PASSWORD: z.string().max(8).optional(),
  /** The bind's `system_type`, when the SMSC asks for one. */
  SMPP_SYSTEM_TYPE: z.string().max(12).default(''),
  /** `transceiver`, or `transmitter` (plus a receiver bind for receipts). */
  SMPP_BIND_MODE: z.enum(['transceiver', 'transmitter']).default('transceiver'),
  /** Parallel binds to the SMSC (single-connection form). */
  SMPP_BINDS: envInt(1, 32).default(1),
  /** Unanswered `submit_sm` per bind. */
  SMPP_WINDOW: envInt(1, 1000).default(10),
  /** Contracted rate per bind (token bucket). */
  SMPP_MAX_SUBMITS_PER_SECOND: envInt(1, 100_000).default(100),
  /** Contracted rate of the whole account over all its binds (single-connection form); unset: only the per-bind rate. */
  SMPP_ACCOUNT_MAX_SUBMITS_PER_SECOND: envInt(1, 1_000_000).optional(),
  ...redisEnv,
  /**
   * Redis, where replicas share each SMSC account: its binds are leased (together they never open
   * more than `binds`) and its account rate is one bucket. Unset: this server alone opens every bind.
   */
  REDIS_URL: envUrl('redis', 'rediss').optional(),
  /** How long a bind lease lasts unrenewed (renewed five times as often): how soon the binds of a replica that died are taken over. */
  SMPP_BIND_LEASE_MS: envInt(1000, 600_000).default(10_000),
  /** Sender shown on the phone: letters (alphanumeric, TON 5) or digits (TON 1). */
  SMPP_SOURCE_ADDR: z.string().min(1).max(20).default('Outband'),
  /** Keepalive: an `enquire_link` this often. */
  SMPP_ENQUIRE_LINK_MS: envInt(1000, 300_000).default(30_000),
  /** Our own bound on every SMPP response: the package has none. */
  SMPP_RESPONSE_TIMEOUT_MS: envInt(100, 120_000).default(10_000),
  /** Delayed retries of a message no route took, before it is marked failed. */
  SEND_MAX_RETRIES: envInt(0, 20).default(5),
  /** The delay of the first retry of a message no route took; the delay grows with each retry. */
  SEND_RETRY_BASE_MS: envInt(10, 600_000).default(2000),
  /**
   * The `message.status` version sent: 2 carries the reports of one moment together; 1, one
   * report each, for data servers of the previous release while an upgrade rolls out.
   */
  MESSAGE_STATUS_VERSION: z.coerce
    .number()
    .pipe(z.union([z.literal(1), z.literal(2)]))
    .default(2),
  ...opsEnv(9103),
  ...logEnv,
});

export const messageServerEnv = fields.transform((c, ctx) => {
  const routing = {
    connections: c.SMPP_CONNECTIONS ?? [
      smscConnection.parse({
        id: 'default',
        url: c.SMPP_URL.replace(/\/+$/, ''),
        systemId: c.SMPP_SYSTEM_ID ?? 'unset',
        password: c.SMPP_PASSWORD ?? '',
        systemType: c.SMPP_SYSTEM_TYPE,
        bindMode: c.SMPP_BIND_MODE,
        binds: c.SMPP_BINDS,
        window: c.SMPP_WINDOW,
        maxSubmitsPerSecond: c.SMPP_MAX_SUBMITS_PER_SECOND,
        accountMaxSubmitsPerSecond: c.SMPP_ACCOUNT_MAX_SUBMITS_PER_SECOND,
        enquireLinkMs: c.SMPP_ENQUIRE_LINK_MS,
        responseTimeoutMs: c.SMPP_RESPONSE_TIMEOUT_MS,
      }),
    ],
    routes: c.SMPP_ROUTES ?? [
      smsRoute.parse({ id: 'default', connection: c.SMPP_CONNECTIONS?.[0]?.id ?? 'default', sourceAddr: c.SMPP_SOURCE_ADDR }),
    ],
  };
  if (!c.SMPP_CONNECTIONS && (!c.SMPP_SYSTEM_ID || c.SMPP_PASSWORD === undefined)) {
    ctx.addIssue({ code: 'custom', path: ['SMPP_SYSTEM_ID'], message: 'set SMPP_SYSTEM_ID and SMPP_PASSWORD, or SMPP_CONNECTIONS' });
    return z.NEVER;
  }
  const checked = routingConfig.safeParse(routing);
  if (!checked.success) {
    for (const issue of checked.error.issues) {
      ctx.addIssue({ code: 'custom', path: ['SMPP_ROUTES'], message: `${issue.path.join('.')}: ${issue.message}` });
    }
    return z.NEVER;
  }
  return { ...c, routing: checked.data };
});

export type MessageServerConfig = z.infer<typeof messageServerEnv>;

export function loadMessageServerConfig(env: NodeJS.ProcessEnv = process.env): MessageServerConfig {
  return parseEnv(messageServerEnv, env);
}
