import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from '../support/http';

// A newcomer's first run: a clean copy of the repository, a fresh HOME, no npm_config_* or other
// variables, and the README's first command as written. Only the pnpm store is shared, for speed
// (the packages in it came from the npm registry like any other).
const repo = resolve(__dirname, '../..');
const run = promisify(execFile);
let dir = '';
let child: ChildProcess | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'outband-first-run-'));
  const files = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: repo, encoding: 'utf8' })
    .split('\0')
    .filter((f) => f !== '' && existsSync(join(repo, f)));
  for (const file of files) {
    mkdirSync(dirname(join(dir, 'outband', file)), { recursive: true });
    cpSync(join(repo, file), join(dir, 'outband', file));
  }
  const store = join(homedir(), '.local/share/pnpm/store');
  mkdirSync(join(dir, 'home/.local/share/pnpm'), { recursive: true });
  if (existsSync(store)) {
    symlinkSync(store, join(dir, 'home/.local/share/pnpm/store'));
  }
});
afterAll(() => {
  if (child?.pid !== undefined && child.exitCode === null) {
    process.kill(-child.pid, 'SIGTERM');
  }
  rmSync(dir, { recursive: true, force: true });
});

/** A newcomer's environment: where programs are and a home of its own, nothing else. */
const env = () => ({ PATH: process.env.PATH ?? '', HOME: join(dir, 'home'), LANG: 'C.UTF-8' });

async function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const probe = createServer();
    probe.once('error', () => done(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => done(true)));
  });
}

/** Runs the README's first command; resolves once the suite says it is running. */
function firstCommand(): Promise<string> {
  return new Promise((ready, fail) => {
    const proc = spawn('sh', ['-c', 'pnpm install && pnpm start'], {
      cwd: join(dir, 'outband'),
      env: env(),
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child = proc;
    let out = '';
    const read = (chunk: Buffer) => {
      out += chunk.toString('utf8');
      if (out.includes('Outband is running')) {
        ready(out);
      }
    };
    proc.stdout?.on('data', read);
    proc.stderr?.on('data', read);
    proc.once('exit', (code) => fail(new Error(`the first command exited (${String(code)}) before the suite ran:\n${out.slice(-4000)}`)));
  });
}

const curl = async (...args: string[]) => (await run('curl', ['-s', ...args], { env: env() })).stdout;

describe('the first run, as the README says', () => {
  it('installs from the npm registry alone, starts the suite, and approves a login verification with curl', async () => {
    for (const port of [8080, 8025, 8050, 2775]) {
      expect([port, await portIsFree(port)]).toEqual([port, true]);
    }
    const banner = await firstCommand();
    expect(banner).toContain('http://127.0.0.1:8050');

    const cwd = join(dir, 'outband');
    const token = async () => (await run('pnpm', ['--silent', 'merchant-token'], { cwd, env: env() })).stdout.trim();
    const started = JSON.parse(
      await curl(
        '-X',
        'POST',
        'localhost:8080/v1/verifications',
        '-H',
        `Authorization: Bearer ${await token()}`,
        '-H',
        'Content-Type: application/json',
        '-d',
        '{"identifier":"alice"}',
      ),
    ) as { id: string; status: string };
    expect(started.status).toBe('pending');

    // The SMS reaches the simulated handset a moment after the answer.
    const code = await eventually(async () => {
      const inbox = JSON.parse(await curl('localhost:8025/inbox/+33612345678')) as { messages: Array<{ text: string }> };
      return /code is (\d{6})/.exec(inbox.messages.at(-1)?.text ?? '')?.[1];
    });
    expect(code).toMatch(/^\d{6}$/);

    const checked = JSON.parse(
      await curl(
        '-X',
        'POST',
        `localhost:8080/v1/verifications/${started.id}/check`,
        '-H',
        `Authorization: Bearer ${await token()}`,
        '-H',
        'Content-Type: application/json',
        '-d',
        JSON.stringify({ code }),
      ),
    ) as { status: string };
    expect(checked.status).toBe('approved');
  }, 600_000);
});
