import type { Logger } from 'pino';

/**
 * Stops the service on SIGTERM/SIGINT: `stop` finishes in-flight work; past `deadlineMs` the
 * process exits anyway, so an orchestrator never has to kill it.
 */
export function stopOnSignals(logger: Logger, stop: () => Promise<void>, deadlineMs = 15_000): void {
  const shutdown = (signal: string) => {
    logger.info({ signal }, 'shutting down');
    setTimeout(() => {
      logger.error({ deadlineMs }, 'shutdown deadline passed, exiting');
      process.exit(1);
    }, deadlineMs).unref();
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
}
