import type { Knex } from 'knex';
import { ensureDatabase, isSqlite, openDatabase } from './database';

/** Where migrations say what they wait for and what they repaired. */
export interface MigrationLog {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
}

/** How long one GET_LOCK waits before saying so and waiting again (under the 30 s statement bound). */
const lockWaitSeconds = 20;

/**
 * Runs a service's pending migrations, each service recording them in its own table.
 *
 * On MySQL one process migrates at a time: a named lock of the server's (`GET_LOCK`), held by a
 * connection, so it dies with the process that held it. Replicas starting together wait for the
 * first instead of failing on knex's lock row, and a knex lock row left set by a process killed
 * mid-migration is released, since nobody else can hold it while we hold the named lock.
 */
export async function migrateLatest<M>(
  db: Knex,
  source: Knex.MigrationSource<M>,
  tableName: string,
  log?: MigrationLog,
): Promise<string[]> {
  if (isSqlite(db)) {
    return latest(db, source, tableName); // one process owns the embedded database
  }
  return withMigrationLock(db, tableName, { wait: true, log }, async () => {
    if (await lockRowSet(db, tableName)) {
      log?.warn({ table: tableName }, 'released the migration lock left by a process that died while migrating');
      await db.migrate.forceFreeMigrationsLock({ migrationSource: source, tableName });
    }
    return latest(db, source, tableName);
  });
}

/** Creates the database if needed and runs one service's migrations (the `migrate` command). */
export async function migrateDatabase<M>(
  url: string,
  source: Knex.MigrationSource<M>,
  tableName: string,
  log?: MigrationLog,
): Promise<string[]> {
  await ensureDatabase(url);
  // Two connections: one holds the named lock while knex migrates on the other.
  const db = openDatabase(url, { min: 0, max: 2 });
  try {
    return await migrateLatest(db, source, tableName, log);
  } finally {
    await db.destroy();
  }
}

/**
 * Clears knex's lock row when no migration runs (`outband migrate --unlock`). Refuses while a
 * process holds the named lock: that one is migrating right now.
 */
export async function unlockMigrations<M>(
  db: Knex,
  source: Knex.MigrationSource<M>,
  tableName: string,
): Promise<'released' | 'not locked'> {
  if (isSqlite(db)) {
    await db.migrate.forceFreeMigrationsLock({ migrationSource: source, tableName });
    return 'released';
  }
  return withMigrationLock(db, tableName, { wait: false }, async () => {
    if (!(await lockRowSet(db, tableName))) {
      return 'not locked';
    }
    await db.migrate.forceFreeMigrationsLock({ migrationSource: source, tableName });
    return 'released';
  });
}

/**
 * Resolves once every migration of `source` is applied, for a service that does not migrate
 * itself (`MIGRATE_ON_START=false`: a migration step runs first, e.g. a Kubernetes Job).
 * Says what it waits for, then again every minute.
 */
export async function waitForMigrations<M>(
  db: Knex,
  source: Knex.MigrationSource<M>,
  tableName: string,
  log: MigrationLog,
  pollMs = 1000,
): Promise<void> {
  let saidAt = 0;
  for (;;) {
    // An unreachable database (a password, a name, a network policy) is said, not mistaken for one not migrated.
    let failure: string | undefined;
    const pending = await pendingMigrations(db, source, tableName).catch((err: unknown) => {
      failure = err instanceof Error ? err.message : String(err);
      return undefined;
    });
    if (pending?.length === 0) {
      return;
    }
    if (Date.now() - saidAt >= 60_000) {
      const waitingFor = pending ? pending.slice(0, 5) : [];
      log.info(
        { table: tableName, waitingFor, ...(failure ? { failure } : {}) },
        'waiting for migrations (run `outband migrate`, or the migration Job)',
      );
      saidAt = Date.now();
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

/** The names of the migrations of `source` not applied yet. */
export async function pendingMigrations<M>(db: Knex, source: Knex.MigrationSource<M>, tableName: string): Promise<string[]> {
  if (!(await db.schema.hasTable(tableName))) {
    return (await source.getMigrations([])).map((m) => source.getMigrationName(m));
  }
  const done = new Set((await db(tableName).select<Array<{ name: string }>>('name')).map((r) => r.name));
  return (await source.getMigrations([])).map((m) => source.getMigrationName(m)).filter((name) => !done.has(name));
}

/** `--unlock` found another process migrating right now. */
export class MigrationRunningError extends Error {
  constructor() {
    super('a migration is running now (another process holds the migration lock): not unlocking');
    this.name = 'MigrationRunningError';
  }
}

async function latest<M>(db: Knex, source: Knex.MigrationSource<M>, tableName: string): Promise<string[]> {
  const [, names] = (await db.migrate.latest({ migrationSource: source, tableName })) as [number, string[]];
  return names;
}

async function lockRowSet(db: Knex, tableName: string): Promise<boolean> {
  const lockTable = `${tableName}_lock`;
  if (!(await db.schema.hasTable(lockTable))) {
    return false;
  }
  const row = await db(lockTable).first<{ is_locked: number } | undefined>('is_locked');
  return Number(row?.is_locked ?? 0) === 1;
}

/** Runs `work` holding this database's named migration lock for `tableName`, on one connection of its own. */
async function withMigrationLock<T>(
  db: Knex,
  tableName: string,
  o: { wait: boolean; log?: MigrationLog | undefined },
  work: () => Promise<T>,
): Promise<T> {
  // Named per database and table; hashed, as lock names are at most 64 characters.
  const name = "CONCAT('outband-migrate:', LEFT(SHA1(CONCAT(DATABASE(), '.', ?)), 32))";
  const pool = db.client as PoolClient;
  const conn = await pool.acquireConnection();
  try {
    for (;;) {
      const got = firstValue(
        await db.raw(`SELECT GET_LOCK(${name}, ?) AS got`, [tableName, o.wait ? lockWaitSeconds : 0]).connection(conn),
      );
      if (Number(got) === 1) {
        break;
      }
      if (!o.wait) {
        throw new MigrationRunningError();
      }
      o.log?.info({ table: tableName }, 'waiting for another process to finish its migrations');
    }
    const release = () => db.raw(`SELECT RELEASE_LOCK(${name})`, [tableName]).connection(conn);
    let result: T;
    try {
      result = await work();
    } catch (e) {
      await release().catch(() => undefined); // the migration's own failure is the one worth telling
      throw e;
    }
    await release();
    return result;
  } finally {
    await pool.releaseConnection(conn);
  }
}

/** The part of knex's client that lends one connection of its pool. */
interface PoolClient {
  acquireConnection(): Promise<unknown>;
  releaseConnection(conn: unknown): Promise<void>;
}

/** The first column of the first row of a mysql2 raw answer (`[rows, fields]`). */
function firstValue(answer: unknown): unknown {
  const [rows] = answer as [Array<Record<string, unknown>>];
  const row = rows[0];
  return row ? Object.values(row)[0] : undefined;
}
