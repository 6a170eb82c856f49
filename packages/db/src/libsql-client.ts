import { createRequire } from 'node:module';
import type { Knex } from 'knex';

const load = createRequire(__filename);

/**
 * knex's better-sqlite3 dialect, driven by libsql: the same synchronous API, but its binaries
 * ship as npm packages (`@libsql/linux-x64-gnu` …), so `pnpm install` needs neither a download
 * from elsewhere nor a compiler.
 */
// knex ships no types for its dialect classes: this one is a Knex.Client.
const BetterSqlite3Client = load('knex/lib/dialects/better-sqlite3') as typeof Knex.Client;

export class LibsqlClient extends BetterSqlite3Client {
  _driver(): unknown {
    return loadSqliteDriver(() => load('libsql'));
  }
}

/** The driver, or an error that says in one line what failed and what to do. */
export function loadSqliteDriver(loadDriver: () => unknown): unknown {
  try {
    return loadDriver();
  } catch (cause) {
    const platform = `${process.platform}-${process.arch}`;
    throw new Error(
      `the embedded database (SQLite through libsql) could not load its binary for ${platform}: run \`pnpm install\` again (it comes from the npm package @libsql/${platform}-…), or set DATABASE_URL to use MySQL`,
      { cause },
    );
  }
}
