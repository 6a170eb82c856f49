import { z } from 'zod';
import { busEnv, databaseEnv, envInt, envKeyRing, envUrl, logEnv, opsEnv, parseEnv } from '@outband/config';

/** The message server's environment. */
export const messageServerEnv = z.object({
  ...busEnv,
  ...databaseEnv,
  /** Keys that open codes sealed by the data server (id:base64). */
  BUS_SEAL_KEYS: envKeyRing(32),
  /** The SMSC, `smpp://host:port`. */
  SMPP_URL: envUrl('smpp').default('smpp://127.0.0.1:2775'),
  SMPP_SYSTEM_ID: z.string().min(1).max(15),
  SMPP_PASSWORD: z.string().max(8),
  SMPP_SYSTEM_TYPE: z.string().max(12).default(''),
  /** `transceiver` (one bind), or `transmitter` plus a `receiver` bind for receipts. */
  SMPP_BIND_MODE: z.enum(['transceiver', 'transmitter']).default('transceiver'),
  /** Sender shown on the phone: letters (alphanumeric, TON 5) or digits (TON 1). */
  SMPP_SOURCE_ADDR: z.string().min(1).max(20).default('Outband'),
  SMPP_ENQUIRE_LINK_MS: envInt(1000, 300_000).default(30_000),
  /** Our own bound on a submit_sm_resp: the package has none. */
  SMPP_RESPONSE_TIMEOUT_MS: envInt(100, 120_000).default(10_000),
  /** Delayed retries of a message the SMSC did not take, before it is marked failed. */
  SEND_MAX_RETRIES: envInt(0, 20).default(5),
  SEND_RETRY_BASE_MS: envInt(10, 600_000).default(2000),
  ...opsEnv(9103),
  ...logEnv,
});

export type MessageServerConfig = z.infer<typeof messageServerEnv>;

export function loadMessageServerConfig(env: NodeJS.ProcessEnv = process.env): MessageServerConfig {
  return parseEnv(messageServerEnv, env);
}
