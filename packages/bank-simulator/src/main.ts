import { z } from 'zod';
import { envInt, parseEnv } from '@outband/config';
import { createLogger } from '@outband/observability';
import { startBankSimulator } from './bank-simulator';
import { demoCards } from './demo-cards';

const env = z.object({
  /** The port of the simulated bank's HTTP API. */
  BANK_HTTP_PORT: envInt(0, 65535).default(8030),
  /** The address it listens on. */
  BANK_HOST: z.string().default('127.0.0.1'),
  /** Delay added to every answer. */
  BANK_LATENCY_MS: envInt(0, 60_000).default(0),
});

async function main(): Promise<void> {
  const cfg = parseEnv(env);
  const sim = await startBankSimulator({
    port: cfg.BANK_HTTP_PORT,
    host: cfg.BANK_HOST,
    cards: demoCards,
    behaviour: { latencyMs: cfg.BANK_LATENCY_MS },
    logger: createLogger({ service: 'bank-simulator' }),
  });
  const stop = () => void sim.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
