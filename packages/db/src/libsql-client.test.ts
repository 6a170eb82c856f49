import { createRequire } from 'node:module';
import { loadSqliteDriver } from './libsql-client';

const load = createRequire(__filename);

describe('the embedded database driver', () => {
  it('names the cause and the fix in one line when its binary cannot load', () => {
    const missing = () => {
      throw new Error("Cannot find module '@libsql/linux-x64-gnu'");
    };
    let message = '';
    try {
      loadSqliteDriver(missing);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toContain('could not load its binary');
    expect(message).toContain('pnpm install');
    expect(message).toContain('DATABASE_URL');
    expect(message).not.toContain('\n');
  });

  it('loads libsql from the npm registry packages', () => {
    const driver = loadSqliteDriver(() => load('libsql')) as new (file: string) => {
      prepare(sql: string): { get(): unknown };
    };
    expect(new driver(':memory:').prepare('select 1 as one').get()).toMatchObject({ one: 1 });
  });
});
