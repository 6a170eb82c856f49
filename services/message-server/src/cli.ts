import { migrateDatabase, type MigrationLog } from '@outband/db';
import { createLogger, stopOnSignals } from '@outband/observability';
import { loadMessageServerConfig } from './config';
import { startMessageServer } from './main';
import { messageMigrationSource, messageMigrationsTable } from './platform/migrations';

// Lock waits and released stale locks, on stderr: the result alone goes to stdout.
const migrationLog: MigrationLog = {
  info: (fields, message) => console.error(message, fields),
  warn: (fields, message) => console.error(message, fields),
};

/** `message-server [serve|migrate]` */
async function run(command: string): Promise<void> {
  if (command === 'migrate') {
    const applied = await migrateDatabase(
      process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/outband',
      messageMigrationSource,
      messageMigrationsTable,
      migrationLog,
    );
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'message server schema is up to date');
    return;
  }
  if (command !== 'serve') {
    throw new Error(`unknown command "${command}": use serve or migrate`);
  }
  const config = loadMessageServerConfig();
  const logger = createLogger({ service: 'message-server', level: config.LOG_LEVEL });
  const server = await startMessageServer(config, logger);
  stopOnSignals(logger, () => server.stop(), config.SHUTDOWN_DEADLINE_MS);
}

run(process.argv[2] ?? 'serve').catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
