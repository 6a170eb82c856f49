import knex, { type Knex } from 'knex';

/** Opens a knex pool on MySQL/MariaDB; dates are read and written in UTC. */
export function openDatabase(url: string, pool = { min: 0, max: 10 }): Knex {
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

/** Runs a service's pending migrations, each service recording them in its own table. */
export async function migrateLatest<M>(db: Knex, source: Knex.MigrationSource<M>, tableName: string): Promise<string[]> {
  const [, names] = (await db.migrate.latest({ migrationSource: source, tableName })) as [number, string[]];
  return names;
}

/** Resolves to null when the database answers, or the reason it does not (for /readyz). */
export async function databaseReadiness(db: Knex): Promise<string | null> {
  await db.raw('select 1');
  return null;
}

/** Creates the database if needed and runs one service's migrations (the `migrate` command). */
export async function migrateDatabase<M>(url: string, source: Knex.MigrationSource<M>, tableName: string): Promise<string[]> {
  await ensureDatabase(url);
  const db = openDatabase(url, { min: 0, max: 1 });
  try {
    return await migrateLatest(db, source, tableName);
  } finally {
    await db.destroy();
  }
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
