import { z } from 'zod';
import { isChallengeOnly, parseOcraSuite } from '@outband/otp';
import { isSupportedCountry, type CountryCode } from 'libphonenumber-js/max';
import {
  busEnv,
  databaseEnv,
  envBool,
  envBrokerUsers,
  envInt,
  envKeyRing,
  envUrl,
  logEnv,
  opsEnv,
  parseEnv,
  redisEnv,
} from '@outband/config';
import { webhookAllowedHosts } from './webhooks/webhook-allowed-hosts';

/** The data server's environment. Keys have no defaults: a deployment must set its own. */
export const dataServerEnv = z.object({
  ...busEnv,
  /**
   * Broker users whose data requests are served (merchant keys, admin actions, codes: all of
   * them): the information server's. RabbitMQ vouches for the `user_id`; the data server's own
   * user is trusted too, so one shared user still works.
   */
  RPC_TRUSTED_USERS: envBrokerUsers.default(['outband-information']),
  /** Broker users whose delivery reports and handset messages are taken: the message server's. */
  MESSAGE_SERVER_USERS: envBrokerUsers.default(['outband-message']),
  ...redisEnv,
  ...databaseEnv,
  /** OCRA server keys (id:base64, first one active), at least 32 bytes each. */
  CODE_KEYS: envKeyRing(32),
  /** Keys of the MAC kept in Redis instead of the code (id:base64, first one active). */
  CODE_MAC_KEYS: envKeyRing(32),
  /** Keys that seal codes on the bus for the message server (id:base64, first one active). */
  BUS_SEAL_KEYS: envKeyRing(32),
  /** The OCRA suite; its digit count is the code length. */
  CODE_SUITE: z.string().default('OCRA-1:HOTP-SHA256-6:QH64-S064-T1M'),
  /** Code lifetime in seconds (NIST SP 800-63B: at most 10 minutes). */
  CODE_TTL_SECONDS: envInt(1, 600).default(300),
  /** SMS sent to one address within the window (against SMS pumping and harassment). */
  SEND_LIMIT_PER_ADDRESS: envInt(1, 100_000).default(5),
  /** The window of `SEND_LIMIT_PER_ADDRESS` (429 `TOO_MANY_SENDS` beyond). */
  SEND_LIMIT_WINDOW_SECONDS: envInt(1, 86_400).default(600),
  /** Verifications one merchant may start, per second and per day (a leaked key cannot pump SMS unbounded); 429 `MERCHANT_RATE_LIMITED` beyond. */
  MERCHANT_LIMIT_PER_SECOND: envInt(1, 100_000).default(50),
  /** Verifications one merchant may start per day (429 `MERCHANT_RATE_LIMITED` beyond). */
  MERCHANT_LIMIT_PER_DAY: envInt(1, 100_000_000).default(100_000),
  /**
   * How long a data server keeps a merchant's policy read before reading it again (every start
   * needs it). A change through this server applies at once; through another replica or the CLI,
   * within this many milliseconds. 0: read on every use.
   */
  MERCHANT_POLICY_CACHE_MS: envInt(0, 60_000).default(2000),
  /** Codes to one country calling code per window (a bound on what a pumping attack costs). */
  COUNTRY_LIMIT: envInt(1, 1_000_000).default(600),
  /** The window of `COUNTRY_LIMIT` (429 `COUNTRY_RATE_LIMITED` beyond). */
  COUNTRY_WINDOW_SECONDS: envInt(1, 86_400).default(60),
  /** Codes to one range of 10,000 numbers per window; beyond, the range is blocked (SMS pumping). */
  RANGE_LIMIT: envInt(1, 1_000_000).default(20),
  /** The window of `RANGE_LIMIT` and `RANGE_ALERT_LIMIT`. */
  RANGE_WINDOW_SECONDS: envInt(1, 86_400).default(300),
  /** How long a range is blocked after a burst (429 `RANGE_BLOCKED`). */
  RANGE_BLOCK_SECONDS: envInt(1, 604_800).default(3600),
  /** Whom a burst to one range blocks: the merchant that sent it, or (the operator's choice) everyone. */
  RANGE_BLOCK_SCOPE: z.enum(['merchant', 'global']).default('merchant'),
  /** Sends to one range within `RANGE_WINDOW_SECONDS`, all merchants together, past which ops are alerted (`outband_abuse_alerts_total` counts). */
  RANGE_ALERT_LIMIT: envInt(1, 1_000_000).default(80),
  /** Consecutive failed checks of one subscriber, across codes, before a block (NIST: at most 100). */
  SUBSCRIBER_FAILURE_LIMIT: envInt(1, 100).default(100),
  /** How long a subscriber is blocked after `SUBSCRIBER_FAILURE_LIMIT` failed checks (429 `SUBSCRIBER_LOCKED`); an approval resets the count. */
  SUBSCRIBER_BLOCK_SECONDS: envInt(1, 604_800).default(3600),
  /** Blocks at one merchant within 30 days from which the subscriber is told of each by SMS (a warning one block before); 0: never. Blocks never suspend. */
  SUBSCRIBER_BLOCKS_BEFORE_PERMANENT: envInt(0, 100).default(3),
  /** Codes one verification may send (the first and its resends), and the pause between two. */
  MAX_SENDS_PER_VERIFICATION: envInt(1, 5).default(5),
  /** The pause between two codes of one verification (429 `RESEND_TOO_SOON`). */
  RESEND_COOLDOWN_SECONDS: envInt(0, 600).default(30),
  /**
   * Where a merchant's enrolment certifies a number: `installation` (the identifier every merchant
   * names; a merchant changes only one it certified) or `merchant` (its own realm: identifiers it
   * enrols are its alone, and shadow the installation's for it).
   */
  ENROLMENT_REALM: z.enum(['installation', 'merchant']).default('installation'),
  /** After a subscriber's number changes (operator or enrolment), transactions are refused this long (403 `ADDRESS_RECENTLY_CHANGED`); 0: never. */
  ADDRESS_CHANGE_COOLDOWN_HOURS: envInt(0, 720).default(24),
  /**
   * For merchants without their own: a transaction start within that cool-down is refused, or
   * (`second_factor`) accepted when it names a second factor the merchant checked.
   */
  ADDRESS_CHANGE_ACTION: z.enum(['refuse', 'second_factor']).default('refuse'),
  /**
   * After an operator changes a subscriber's number: `login`, no transaction until a code sent to
   * the new number has been typed back (the holder of the new number shows up, and a mistyped or
   * recycled number signs nothing); `none`, the operator's word is enough.
   */
  ADDRESS_CHANGE_PROOF: z.enum(['login', 'none']).default('login'),
  /** Unknown identifiers get decoys showing a mobile number of this country (ISO 3166): where most subscribers are. */
  DECOY_COUNTRY: z
    .string()
    .refine((c) => isSupportedCountry(c), 'must be an ISO 3166 country code libphonenumber knows (e.g. FR)')
    .default('FR')
    .transform((c): CountryCode => c),
  /** Failed checks before a verification is burned (PSD2 RTS Art. 4: at most 5). */
  MAX_CHECK_ATTEMPTS: envInt(1, 5).default(5),
  /** Time steps either side of now an authenticator's code may come from: its clock may drift (RFC 6238 §5.2). */
  TOTP_WINDOW_STEPS: envInt(0, 3).default(1),
  /**
   * The RFC 6287 suite new OCRA tokens compute (channel `ocra-app`): a question alone, no counter,
   * PIN, session or time, so that the server knows the one right response to each challenge; 6 to
   * 10 digits, which people type back.
   */
  OCRA_FACTOR_SUITE: z
    .string()
    .default('OCRA-1:HOTP-SHA256-8:QN08')
    .transform((text, ctx) => {
      try {
        const suite = parseOcraSuite(text);
        if (isChallengeOnly(suite) && suite.digits >= 6) {
          return suite;
        }
        ctx.addIssue({ code: 'custom', message: 'must take a question alone (no C, P, S or T input) and answer 6 to 10 digits' });
      } catch (e) {
        ctx.addIssue({ code: 'custom', message: (e as Error).message });
      }
      return z.NEVER;
    }),
  /** The bank's HTTP API (patent: bank server); without it, payments answer 503 PAYMENTS_DISABLED. */
  BANK_URL: envUrl('http', 'https').optional(),
  /** Bound on each bank call; calls are retried (idempotency keys make it safe) then fail. */
  BANK_TIMEOUT_MS: envInt(100, 60_000).default(3000),
  /** Tries per bank call. */
  BANK_ATTEMPTS: envInt(1, 5).default(2),
  /** Failures in a row that pause calls to the bank, and for how long. */
  BANK_BREAKER_THRESHOLD: envInt(1, 1000).default(5),
  /** How long calls to the bank stay paused once the breaker opens (503 `BANK_UNAVAILABLE`). */
  BANK_BREAKER_OPEN_MS: envInt(100, 600_000).default(10_000),
  /**
   * The operator's CAMARA API root: before a code goes to a mobile number, `{root}/sim-swap/v2/check`
   * (SIM Swap 2.1.0) says whether its SIM changed within the merchant's window. Without it and
   * without `MNP_LOOKUP_URL`, numbers are not checked.
   */
  NETWORK_API_URL: envUrl('http', 'https').optional(),
  /**
   * The operator's OAuth 2.0 token endpoint for its network APIs (client credentials).
   * @defaultValue `NETWORK_API_URL` + `/oauth2/token`
   */
  NETWORK_TOKEN_URL: envUrl('http', 'https').optional(),
  /** The OAuth client Outband is at the operator (needed with `NETWORK_API_URL`). */
  NETWORK_CLIENT_ID: z.string().min(1).optional(),
  /** That client's secret (`client_secret_basic`). */
  NETWORK_CLIENT_SECRET: z.string().min(1).optional(),
  /** A number portability (HLR/MNP) lookup: `POST {msisdn}` → `{ported, portedAt}`; a recent port counts as a SIM change. */
  MNP_LOOKUP_URL: envUrl('http', 'https').optional(),
  /** The lookup's API key, sent as a bearer token (needed with `MNP_LOOKUP_URL`). */
  MNP_API_KEY: z.string().min(1).optional(),
  /**
   * Silent verification: the operator's OIDC authorization endpoint the device's browser is sent to
   * (CAMARA Number Verification 2.1 needs a three-legged token got over the device's mobile data).
   * @defaultValue `NETWORK_API_URL` + `/authorize`
   */
  NETWORK_AUTHORIZE_URL: envUrl('http', 'https').optional(),
  /**
   * Where the operator sends the device's browser back: the information server's
   * `/silent/callback` as devices reach it, registered at the operator as the client's redirect URI.
   * Without it, silent verification is off (`SILENT_UNAVAILABLE`).
   */
  SILENT_REDIRECT_URL: envUrl('http', 'https').optional(),
  /** The longest an address claim may live (`exp - iat`): a leaked claim is soon useless. */
  ADDRESS_CLAIM_MAX_LIFETIME_SECONDS: envInt(30, 3600).default(600),
  /** The most the return of a device's browser waits for the operator's token and verify answers. */
  SILENT_BUDGET_MS: envInt(100, 10_000).default(3000),
  /** The most a start waits for the network's answers; past it the code goes out and its record says `unknown`. */
  NETWORK_CHECK_BUDGET_MS: envInt(50, 10_000).default(800),
  /** Failures in a row that pause calls to a network API (codes go out meanwhile, marked `unknown`). */
  NETWORK_BREAKER_THRESHOLD: envInt(1, 1000).default(5),
  /** How long calls to a failing network API stay paused. */
  NETWORK_BREAKER_OPEN_MS: envInt(100, 600_000).default(30_000),
  /**
   * For merchants without their own: what a recent SIM change or port does to a start — `refuse`
   * (403 `SIM_RECENTLY_SWAPPED`), `reverse` (only `channel: reverse-sms`), `warn` (sent, `numberWarning`), `off`.
   */
  SIM_SWAP_ACTION: z.enum(['off', 'refuse', 'reverse', 'warn']).default('warn'),
  /** How recent a SIM change or port counts, in hours (CAMARA `maxAge`), for merchants without their own. */
  SIM_SWAP_HOURS: envInt(1, 2400).default(72),
  /**
   * Where users text reverse-channel codes, by address prefix (longest wins): `+33=38100,+=+447700900123`
   * (a short code or long number the SMSC routes to the message server's binds).
   */
  REVERSE_NUMBERS: z
    .string()
    .regex(/^\+\d*=\+?\d{3,15}(,\+\d*=\+?\d{3,15})*$/, 'must be +prefix=number,… (e.g. +33=38100,+=+447700900123)')
    .default('+=38100')
    .transform((v) => v.split(',').map((pair) => pair.split('=') as [string, string])),
  /** Keys sealing registered messages at rest (id:base64, first one active); without them the feature is off (503 `REGISTERED_MESSAGES_DISABLED`). */
  CONTENT_KEYS: envKeyRing(32).optional(),
  /** Largest registered message (text and attachment), and how long its content is kept. */
  REGISTERED_MAX_BYTES: envInt(1024, 10_000_000).default(262_144),
  /** How long the content of a registered message is kept (then `CONTENT_DELETED`). */
  REGISTERED_RETENTION_SECONDS: envInt(1, 315_360_000).default(2_592_000),
  /** Webhooks: first retry after this long (doubling, at most an hour), given up after this long. */
  WEBHOOK_RETRY_BASE_MS: envInt(100, 3_600_000).default(10_000),
  /** How long after the event a webhook delivery is given up. */
  WEBHOOK_GIVE_UP_SECONDS: envInt(1, 604_800).default(90_000),
  /** Bound on each webhook call. */
  WEBHOOK_TIMEOUT_MS: envInt(100, 60_000).default(5000),
  /** How often the webhook outbox is read. */
  WEBHOOK_POLL_MS: envInt(50, 60_000).default(1000),
  /** Plain http webhook URLs are accepted (development, the demo, tests); production sends https only. `pnpm start` sets `true`. */
  WEBHOOK_ALLOW_HTTP: envBool.default(false),
  /**
   * Hosts webhooks may reach although they are private, loopback or local names
   * (`127.0.0.1,localhost` in development and `pnpm start`); none in production.
   * @defaultValue none
   */
  WEBHOOK_ALLOWED_HOSTS: webhookAllowedHosts.default(() => new Set<string>()),
  /** Active webhook endpoints one merchant may have (409 `WEBHOOK_ENDPOINT_LIMIT_REACHED` beyond). */
  WEBHOOK_MAX_ENDPOINTS_PER_MERCHANT: envInt(1, 1000).default(10),
  /** Deliveries one data server sends at once, in all (per merchant: `WEBHOOK_CONCURRENCY_PER_MERCHANT`). */
  WEBHOOK_CONCURRENCY: envInt(1, 1000).default(50),
  /** Deliveries under way at once per merchant (taken round-robin across merchants). */
  WEBHOOK_CONCURRENCY_PER_MERCHANT: envInt(1, 100).default(4),
  /**
   * The `message.send` outbox: a message not confirmed by the broker this long after its commit
   * is published by the relay, which looks every `OUTBOX_POLL_MS`. Longer than a publish may wait
   * (10 s), so the relay does not race a publish still under way.
   */
  OUTBOX_RELAY_AFTER_MS: envInt(1000, 3_600_000).default(15_000),
  /** How often the `message.send` outbox relay looks. */
  OUTBOX_POLL_MS: envInt(50, 60_000).default(1000),
  /** A first-network session without a heartbeat for this long is closed, with its codes. */
  SESSION_IDLE_SECONDS: envInt(1, 86_400).default(300),
  /** How often unfinished payments are looked at, and how long one may stay unchanged first. */
  PAYMENT_SWEEP_SECONDS: envInt(1, 3600).default(5),
  /** How long an unfinished payment may stay unchanged before the sweep finishes it. */
  PAYMENT_GRACE_SECONDS: envInt(1, 3600).default(60),
  ...opsEnv(9102),
  ...logEnv,
});

export type DataServerConfig = z.infer<typeof dataServerEnv>;

export function loadDataServerConfig(env: NodeJS.ProcessEnv = process.env): DataServerConfig {
  return parseEnv(dataServerEnv, env);
}
