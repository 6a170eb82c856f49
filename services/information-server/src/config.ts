import { z } from 'zod';
import { busEnv, envBool, envInt, logEnv, opsEnv, parseEnv, redisEnv } from '@outband/config';

/** The information server's environment. */
export const informationServerEnv = z.object({
  ...busEnv,
  ...redisEnv,
  /** The merchant API's port. */
  HTTP_PORT: envInt(0, 65535).default(8080),
  /** The address the merchant API listens on. */
  HTTP_HOST: z.string().default('0.0.0.0'),
  /** `/metrics` (and `/healthz`, `/readyz`) for Prometheus, on a port apart from the API's. */
  ...opsEnv(9101),
  /** The `aud` every merchant token must carry. */
  JWT_AUDIENCE: z.string().min(1).default('outband'),
  /** How far ahead a token's `exp` may be. */
  JWT_MAX_LIFETIME_SECONDS: envInt(10, 3600).default(300),
  /** Clock difference allowed when checking `exp`, `nbf` and `iat`; a used `jti` is remembered until `exp` plus this. */
  JWT_CLOCK_SKEW_SECONDS: envInt(0, 300).default(30),
  /** Refuse tokens without a `jti`: then no token can be replayed, even within its lifetime. @defaultValue true */
  JWT_REQUIRE_JTI: envBool.default(true),
  /** How long the merchant keys read from the data server are reused. */
  MERCHANT_KEY_CACHE_MS: envInt(0, 3_600_000).default(30_000),
  /** Bound on each call to the data server over the bus. */
  RPC_TIMEOUT_MS: envInt(100, 60_000).default(15_000),
  /** How long an `Idempotency-Key` stays taken by a request that has not answered (its server died mid-request): then a retry runs again. Unset: twice `RPC_TIMEOUT_MS` plus 5 s. */
  IDEMPOTENCY_PENDING_SECONDS: envInt(1, 3600).optional(),
  /** Largest request body accepted (bytes). */
  BODY_LIMIT_BYTES: envInt(256, 10_485_760).default(16_384),
  /** API requests per client IP and per merchant within the window (429 RATE_LIMITED beyond). */
  REQUEST_LIMIT_PER_IP: envInt(1, 10_000_000).default(600),
  /** API requests per merchant (counted after authentication) within the window; 429 `RATE_LIMITED` beyond. */
  REQUEST_LIMIT_PER_MERCHANT: envInt(1, 10_000_000).default(6000),
  /** The window of both request limits; if Redis cannot answer, requests go on. */
  REQUEST_LIMIT_WINDOW_SECONDS: envInt(1, 3600).default(60),
  /** The data and message servers' `/metrics`, which the `/ops` page shows beside this server's. */
  OPS_METRICS_URLS: z
    .string()
    .default('')
    .transform((v) => v.split(',').filter(Boolean))
    .pipe(z.array(z.url({ protocol: /^https?$/ }))),
  /** Operator tokens of the admin API: `name:token,…` (tokens of 32 characters or more); unset: no admin API. */
  ADMIN_TOKENS: z
    .string()
    .regex(
      /^[A-Za-z0-9_.-]{1,20}:[\x21-\x2b\x2d-\x7e]{32,}(,[A-Za-z0-9_.-]{1,20}:[\x21-\x2b\x2d-\x7e]{32,})*$/,
      'must be name:token,… with tokens of 32+ characters',
    )
    .transform((v) =>
      v.split(',').map((pair) => {
        const i = pair.indexOf(':');
        return { name: pair.slice(0, i), token: pair.slice(i + 1) };
      }),
    )
    .optional(),
  /** Failed operator logins (`/admin/v1`, `/ops`) per client IP before it is refused (429) for the window. */
  OPERATOR_AUTH_FAILURE_LIMIT: envInt(1, 10_000).default(10),
  /** How long failed operator logins are remembered, from the last one. */
  OPERATOR_AUTH_FAILURE_WINDOW_SECONDS: envInt(1, 86_400).default(900),
  /** express `trust proxy` (hop count); 0 trusts none. */
  TRUST_PROXY_HOPS: envInt(0, 10).default(0),
  ...logEnv,
});

export type InformationServerConfig = z.infer<typeof informationServerEnv>;

export function loadInformationServerConfig(env: NodeJS.ProcessEnv = process.env): InformationServerConfig {
  return parseEnv(informationServerEnv, env);
}
