import { openDatabase, type MigrationLog } from '@outband/db';
import { AuditLog } from './audit/audit-log';
import { createLogger, stopOnSignals } from '@outband/observability';
import { loadDataServerConfig } from './config';
import { startDataServer } from './main';
import { migrateDataDatabase } from './admin/admin-entry';
import { seedDemo } from './seed-demo';

// Lock waits and released stale locks, on stderr: the result alone goes to stdout.
const migrationLog: MigrationLog = {
  info: (fields, message) => console.error(message, fields),
  warn: (fields, message) => console.error(message, fields),
};

/** `data-server [serve|migrate|seed-demo]` */
async function run(command: string): Promise<void> {
  if (command === 'migrate') {
    const applied = await migrateDataDatabase(process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/outband', migrationLog);
    console.log(applied.length ? `applied: ${applied.join(', ')}` : 'data server schema is up to date');
    return;
  }
  if (command === 'seed-demo') {
    const secret = process.env.DEMO_MERCHANT_SECRET;
    if (!secret || Buffer.from(secret, 'base64').length < 32) {
      throw new Error('set DEMO_MERCHANT_SECRET to a base64 secret of at least 32 bytes (e.g. `openssl rand -base64 32`)');
    }
    await seedDemo(process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/outband', {
      merchant: { id: 'demo-shop', name: 'Demo shop', keys: [{ kid: 'demo-1', alg: 'HS256', key: secret }] },
      subscribers: [
        { identifier: 'alice', address: '+33612345678' },
        { identifier: 'bob', address: '+4915112345678', locale: 'en' },
        { identifier: 'carol', address: '+33698765432', status: 'suspended' },
      ],
    });
    console.log('seeded merchant demo-shop (kid demo-1) and subscribers alice, bob, carol (suspended)');
    return;
  }
  if (command === 'audit-verify') {
    const db = openDatabase(process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/outband', { min: 0, max: 1 });
    const result = await new AuditLog(db).verify();
    await db.destroy();
    if (result.firstBroken !== undefined) {
      console.error(`audit chain broken at row ${result.firstBroken} (${result.rows} rows before it hold)`);
      process.exit(3);
    }
    console.log(`audit chain intact: ${result.rows} rows`);
    return;
  }
  if (command !== 'serve') {
    throw new Error(`unknown command "${command}": use serve, migrate, seed-demo or audit-verify`);
  }
  const config = loadDataServerConfig();
  const logger = createLogger({ service: 'data-server', level: config.LOG_LEVEL });
  const server = await startDataServer(config, logger);
  stopOnSignals(logger, () => server.stop(), config.SHUTDOWN_DEADLINE_MS);
}

run(process.argv[2] ?? 'serve').catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
