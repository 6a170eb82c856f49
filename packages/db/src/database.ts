import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import knex, { type Knex } from 'knex';
import { LibsqlClient } from './libsql-client';

/** The prefix of a database URL naming an SQLite file (the embedded default): `sqlite:path/to/file.db`. */
const sqlitePrefix = 'sqlite:';

/** Whether a database is the embedded SQLite one (for the few statements written per dialect). */
export function isSqlite(db: Knex): boolean {
  return db.client instanceof LibsqlClient;
}

/**
 * Opens a knex pool on MySQL/MariaDB (dates read and written in UTC), or on an SQLite file for
 * a `sqlite:` URL.
 */
export function openDatabase(url: string, pool = { min: 0, max: 10 }): Knex {
  if (url.startsWith(sqlitePrefix)) {
    return openSqlite(url.slice(sqlitePrefix.length));
  }
  return knex({
    client: 'mysql2',
    connection: { uri: url, timezone: 'Z', dateStrings: false, connectTimeout: 5000 } as Knex.MySql2ConnectionConfig & { uri: string },
    pool: {
      ...pool,
      // A bound on every statement: MariaDB's max_statement_time (s), MySQL's max_execution_time
      // (ms, reads). Each server ignores the other's, so the errors are dropped.
      afterCreate(conn: { query: (sql: string, cb: () => void) => void }, done: (err: Error | null, conn: unknown) => void) {
        conn.query('SET SESSION max_statement_time = 30', () =>
          conn.query('SET SESSION max_execution_time = 30000', () => done(null, conn)),
        );
      },
    },
    acquireConnectionTimeout: 10_000,
  });
}

/** Creates the database named in the URL when it does not exist (dev, tests, first start). */
export async function ensureDatabase(url: string): Promise<void> {
  if (url.startsWith(sqlitePrefix)) {
    mkdirSync(dirname(url.slice(sqlitePrefix.length)), { recursive: true });
    return;
  }
  const parsed = new URL(url);
  const name = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!/^[A-Za-z0-9_]{1,64}$/.test(name)) {
    throw new Error('DATABASE_URL must name a database of letters, digits and _');
  }
  parsed.pathname = '/';
  const admin = openDatabase(parsed.toString(), { min: 0, max: 1 });
  try {
    await admin.raw(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin`);
  } finally {
    await admin.destroy();
  }
}

/** Resolves to null when the database answers, or the reason it does not (for /readyz). */
export async function databaseReadiness(db: Knex): Promise<string | null> {
  await db.raw('select 1');
  return null;
}

/** One migration of a service, kept in code so compiled and test runs see the same list. */
export interface Migration {
  name: string;
  up(knex: Knex): Promise<void>;
  down(knex: Knex): Promise<void>;
}

/** A knex migration source over an ordered list. */
export function migrationSource(migrations: Migration[]): Knex.MigrationSource<Migration> {
  return {
    getMigrations: () => Promise.resolve(migrations),
    getMigrationName: (m) => m.name,
    getMigration: (m) => Promise.resolve(m),
  };
}

/**
 * SQLite through libsql, on one connection: a transaction holds it while the others wait
 * in the pool, never on SQLite's own lock (libsql is synchronous: waiting there would stop
 * the process). Row locks (`forUpdate`) have nothing to do then, and are dropped without a word.
 * SQLite has no date type: a Date is stored as its milliseconds, and the columns that hold times
 * (named `*_at`, `at`, `locked_until`) come back as Dates, as mysql2 gives them.
 */
function openSqlite(filename: string): Knex {
  const onDisk = filename !== '' && filename !== ':memory:';
  if (onDisk) {
    ownerOnly(filename);
  }
  return knex({
    client: LibsqlClient,
    connection: { filename },
    useNullAsDefault: true,
    pool: {
      min: 1,
      max: 1,
      afterCreate(conn: { pragma: (p: string) => unknown }, done: (err: Error | null, conn: unknown) => void) {
        conn.pragma('journal_mode = WAL');
        // SQLite gives the -wal and -shm files the database's mode; files left by an older run may not have it.
        for (const suffix of onDisk ? ['-wal', '-shm'] : []) {
          if (existsSync(`${filename}${suffix}`)) {
            chmodSync(`${filename}${suffix}`, 0o600);
          }
        }
        // WAL with NORMAL: a commit survives the process dying, and costs no fsync (FULL made
        // libsql's single-row commits ten times slower); a laptop store, not a bank's ledger.
        conn.pragma('synchronous = NORMAL');
        conn.pragma('busy_timeout = 5000');
        // knex writes enums as CHECK constraints and cannot change them on SQLite: values are
        // validated before they are written, so the checks are not enforced here.
        conn.pragma('ignore_check_constraints = ON');
        done(null, conn);
      },
    },
    acquireConnectionTimeout: 30_000,
    postProcessResponse: (result: unknown) => (Array.isArray(result) ? result.map(datesOf) : datesOf(result)),
    log: {
      warn(message: string) {
        if (!/table lock is not supported/.test(message)) {
          console.warn(message);
        }
      },
    },
  });
}

/**
 * The embedded database holds subscribers' addresses and merchants' keys: readable by its owner
 * only, like `.outband/dev.env`. Made 0600 before SQLite opens it (whatever the umask), and set
 * again on a file an older version made with the default mode.
 */
function ownerOnly(filename: string): void {
  closeSync(openSync(filename, 'a', 0o600));
  chmodSync(filename, 0o600);
}

const isTimeColumn = (name: string) => name === 'at' || name.endsWith('_at') || name === 'locked_until';

function datesOf(row: unknown): unknown {
  if (typeof row !== 'object' || row === null || Array.isArray(row) || row instanceof Date) {
    return row;
  }
  const out = row as Record<string, unknown>;
  for (const [key, value] of Object.entries(out)) {
    if (typeof value === 'number' && isTimeColumn(key)) {
      out[key] = new Date(value);
    }
  }
  return out;
}

/** The default of a creation-time column: now, to the millisecond, as each dialect stores times. */
export function nowDefault(db: Knex): Knex.Raw {
  return isSqlite(db) ? db.raw("(CAST(unixepoch('subsec') * 1000 AS INTEGER))") : db.fn.now(3);
}
