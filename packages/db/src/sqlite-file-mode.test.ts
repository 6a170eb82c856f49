import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from './database';

// The embedded database file and its WAL companions are the owner's alone, whatever the umask.
let dir: string;
const previousUmask = process.umask(0o022);
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'outband-db-mode-'));
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
});
afterAll(() => {
  process.umask(previousUmask);
});

const modeOf = (path: string) => statSync(path).mode & 0o777;

async function writeSomething(file: string): Promise<void> {
  const db = openDatabase(`sqlite:${file}`);
  try {
    await db.schema.createTable('t', (t) => t.integer('x'));
    await db('t').insert({ x: 1 });
    // While the connection is open, WAL mode keeps the -wal and -shm files beside the database.
    expect([modeOf(file), modeOf(`${file}-wal`), modeOf(`${file}-shm`)]).toEqual([0o600, 0o600, 0o600]);
  } finally {
    await db.destroy();
  }
}

describe('the SQLite file of the embedded default', () => {
  it('is created 0600, and so are its -wal and -shm files', async () => {
    await writeSomething(join(dir, 'outband.db'));
    expect(modeOf(join(dir, 'outband.db'))).toBe(0o600);
  });

  it('is made 0600 when an older version left it (and its -wal, -shm) readable by all', async () => {
    const file = join(dir, 'outband.db');
    for (const path of [file, `${file}-wal`, `${file}-shm`]) {
      writeFileSync(path, '');
      chmodSync(path, 0o644);
    }
    await writeSomething(file);
  });
});
