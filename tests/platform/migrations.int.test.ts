import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import {
  ensureDatabase,
  migrateDatabase,
  openDatabase,
  pendingMigrations,
  waitForMigrations,
  type Knex,
  type MigrationLog,
} from '@outband/db';
import { migrateDataDatabase } from '@outband/data-server';
import { messageMigrationSource, messageMigrationsTable } from '@outband/message-server';
import { eventually } from '../support/http';
import { servers } from '../support/servers';

// Replicas start together, a migration is killed halfway, a service waits for a migration
// step: the schema is migrated once, by one process at a time, and nothing stays locked.
const cli = resolve(__dirname, '../../packages/cli/dist/outband.js');
const databases: string[] = [];
const admin = openDatabase(servers.mysql, { min: 0, max: 2 });

function freshDatabase(): string {
  const name = `outband_test_mig_${randomBytes(4).toString('hex')}`;
  databases.push(name);
  return `${servers.mysql}/${name}`;
}

afterAll(async () => {
  for (const name of databases) {
    await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
  }
  await admin.destroy();
});

/** A log that keeps what it was told. */
function recordingLog(): MigrationLog & { said: string[] } {
  const said: string[] = [];
  return { said, info: (_f, m) => said.push(m), warn: (_f, m) => said.push(m) };
}

function outband(url: string, ...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [cli, ...args], { env: { ...process.env, DATABASE_URL: url } }, (error, stdout, stderr) => {
      done({ code: error ? Number(error.code ?? 1) : 0, out: stdout.trim(), err: stderr.trim() });
    });
  });
}

/** Holds the data server's named migration lock on a connection of its own, as a running migration does. */
async function holdMigrationLock(db: Knex): Promise<() => Promise<void>> {
  const name = "CONCAT('outband-migrate:', LEFT(SHA1(CONCAT(DATABASE(), '.', 'knex_migrations_data')), 32))";
  const pool = db.client as { acquireConnection(): Promise<unknown>; releaseConnection(c: unknown): Promise<void> };
  const conn = await pool.acquireConnection();
  await db.raw(`SELECT GET_LOCK(${name}, 0)`).connection(conn);
  return async () => {
    await db.raw(`SELECT RELEASE_LOCK(${name})`).connection(conn);
    await pool.releaseConnection(conn);
  };
}

describe('migrations with several replicas', () => {
  it('two data servers migrating at once: both succeed, and the migrations run once', async () => {
    const url = freshDatabase();
    const [a, b] = await Promise.all([migrateDataDatabase(url), migrateDataDatabase(url)]);
    // One ran them all; the other waited for the lock and found nothing left to do.
    expect([a.length, b.length].sort((x, y) => x - y)[0]).toBe(0);
    const db = openDatabase(url, { min: 0, max: 1 });
    try {
      const names = (await db('knex_migrations_data').select<Array<{ name: string }>>('name')).map((r) => r.name);
      expect(names).toEqual([...a, ...b]);
      expect(new Set(names).size).toBe(names.length);
    } finally {
      await db.destroy();
    }
  });

  it('a lock row left by a migration killed halfway is released by the next migration, which says so', async () => {
    const url = freshDatabase();
    await migrateDataDatabase(url);
    const db = openDatabase(url, { min: 0, max: 1 });
    try {
      await db('knex_migrations_data_lock').update({ is_locked: 1 }); // what a kill -9 mid-migration leaves
      const log = recordingLog();
      expect(await migrateDataDatabase(url, log)).toEqual([]);
      expect(log.said).toContain('released the migration lock left by a process that died while migrating');
      expect((await db('knex_migrations_data_lock').first<{ is_locked: number }>('is_locked'))?.is_locked).toBe(0);
    } finally {
      await db.destroy();
    }
  });

  it('`outband migrate --unlock` refuses while a migration runs, and clears a stale lock once none does', async () => {
    const url = freshDatabase();
    expect((await outband(url, 'migrate')).code).toBe(0);
    const db = openDatabase(url, { min: 0, max: 2 });
    try {
      await db('knex_migrations_data_lock').update({ is_locked: 1 });
      const release = await holdMigrationLock(db);
      const refused = await outband(url, 'migrate', '--unlock');
      expect(refused).toMatchObject({
        code: 1,
        err: 'a migration is running now (another process holds the migration lock): not unlocking',
      });
      expect((await db('knex_migrations_data_lock').first<{ is_locked: number }>('is_locked'))?.is_locked).toBe(1);
      await release();
      expect(await outband(url, 'migrate', '--unlock')).toMatchObject({
        code: 0,
        out: 'data server migrations: released; message server migrations: not locked',
      });
      expect((await db('knex_migrations_data_lock').first<{ is_locked: number }>('is_locked'))?.is_locked).toBe(0);
    } finally {
      await db.destroy();
    }
  });

  it('a server that does not migrate waits, saying for what, until the migration step has run', async () => {
    const url = freshDatabase();
    await ensureDatabase(url);
    const db = openDatabase(url, { min: 0, max: 2 });
    try {
      const log = recordingLog();
      let ready = false;
      const waiting = waitForMigrations(db, messageMigrationSource, messageMigrationsTable, log, 50).then(() => (ready = true));
      await eventually(() => Promise.resolve(log.said.find((m) => m.startsWith('waiting for migrations'))));
      expect(log.said).toContain('waiting for migrations (run `outband migrate`, or the migration Job)');
      expect(ready).toBe(false);
      await migrateDatabase(url, messageMigrationSource, messageMigrationsTable);
      await waiting;
      expect(await pendingMigrations(db, messageMigrationSource, messageMigrationsTable)).toEqual([]);
    } finally {
      await db.destroy();
    }
  });
});

describe('the schema on MySQL', () => {
  it('finds a subscriber by its number through an index, not by reading the whole table', async () => {
    const url = freshDatabase();
    await migrateDataDatabase(url);
    const db = openDatabase(url, { min: 0, max: 1 });
    try {
      const [plan] = (await db.raw("EXPLAIN SELECT * FROM subscribers WHERE address = '+33612345678'")) as [Array<{ key: string | null }>];
      expect(plan.map((row) => row.key)).toEqual(['subscribers_address_index']);
    } finally {
      await db.destroy();
    }
  });
});
