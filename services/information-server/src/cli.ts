import { createLogger, stopOnSignals } from '@outband/observability';
import { loadInformationServerConfig } from './config';
import { startInformationServer } from './main';

async function run(): Promise<void> {
  const config = loadInformationServerConfig();
  const logger = createLogger({ service: 'information-server', level: config.LOG_LEVEL });
  const server = await startInformationServer(config, logger);
  stopOnSignals(logger, () => server.stop(), config.SHUTDOWN_DEADLINE_MS);
}

run().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
