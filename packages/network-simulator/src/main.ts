import { z } from 'zod';
import { envInt, parseEnv } from '@outband/config';
import { createLogger, stopOnSignals } from '@outband/observability';
import { startNetworkSimulator } from './network-simulator';

const env = z.object({
  /** The port of the simulated operator's network APIs. */
  NETWORK_SIM_HTTP_PORT: envInt(0, 65535).default(8035),
  /** The address it listens on. */
  NETWORK_SIM_HOST: z.string().default('127.0.0.1'),
  /** The OAuth client the CAMARA APIs accept: its id … */
  NETWORK_SIM_CLIENT_ID: z.string().min(1).default('outband'),
  /** … and its secret (`client_secret_basic`). */
  NETWORK_SIM_CLIENT_SECRET: z.string().min(1).default('secret'),
  /** The key the number portability lookup accepts. */
  NETWORK_SIM_MNP_KEY: z.string().min(1).default('secret'),
  /** Delay added to every network API answer. */
  NETWORK_SIM_LATENCY_MS: envInt(0, 60_000).default(0),
  /** The redirect URIs `/authorize` accepts, comma-separated, matched exactly; unset or empty: any absolute http(s) URL. */
  NETWORK_SIM_REDIRECT_URIS: z
    .string()
    .transform((v) =>
      v
        .split(',')
        .map((u) => u.trim())
        .filter(Boolean),
    )
    .pipe(z.array(z.url({ protocol: /^https?$/ })))
    .transform((uris) => (uris.length > 0 ? uris : undefined))
    .optional(),
});

async function main(): Promise<void> {
  const cfg = parseEnv(env);
  const logger = createLogger({ service: 'network-simulator' });
  const sim = await startNetworkSimulator({
    port: cfg.NETWORK_SIM_HTTP_PORT,
    host: cfg.NETWORK_SIM_HOST,
    client: { id: cfg.NETWORK_SIM_CLIENT_ID, secret: cfg.NETWORK_SIM_CLIENT_SECRET },
    mnpApiKey: cfg.NETWORK_SIM_MNP_KEY,
    redirectUris: cfg.NETWORK_SIM_REDIRECT_URIS,
    behaviour: { latencyMs: cfg.NETWORK_SIM_LATENCY_MS },
    logger,
  });
  stopOnSignals(logger, () => sim.stop());
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
