import { spawn, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A server of our own on another port, started from the machine's binaries: tests may stop and
 * restart it, which they must never do to the shared ones. `start` again reuses its data.
 */
export interface PrivateServer {
  url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Stops it and removes its files. */
  destroy(): Promise<void>;
}

const running = new Set<ChildProcess>();
// Torn down even when a test fails or the run is interrupted.
process.on('exit', () => running.forEach((c) => c.kill('SIGKILL')));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

async function waitFor(probe: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > deadline) {
      throw new Error(`${what} did not come up`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

const answers = (cmd: string, args: string[]) => () => {
  try {
    execFileSync(cmd, args, { stdio: 'ignore', timeout: 2000 });
    return true;
  } catch {
    return false;
  }
};

function privateServer(url: string, dir: string, launch: () => ChildProcess, ready: () => boolean, what: string): PrivateServer {
  let child: ChildProcess | undefined;
  const stop = async () => {
    const c = child;
    child = undefined;
    if (c && c.exitCode === null) {
      await new Promise<void>((r) => {
        c.once('exit', () => r());
        c.kill('SIGTERM');
        setTimeout(() => c.kill('SIGKILL'), 10_000).unref();
      });
    }
    if (c) {
      running.delete(c);
    }
  };
  return {
    url,
    async start() {
      child = launch();
      running.add(child);
      await waitFor(ready, what);
    },
    stop,
    async destroy() {
      await stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export async function privateRedis(): Promise<PrivateServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'outband-redis-'));
  const server = privateServer(
    `redis://127.0.0.1:${port}`,
    dir,
    () =>
      spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], {
        stdio: 'ignore',
      }),
    answers('redis-cli', ['-p', String(port), 'ping']),
    'private Redis',
  );
  await server.start();
  return server;
}

export async function privateMariadb(): Promise<PrivateServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'outband-mariadb-'));
  execFileSync('mariadb-install-db', ['--no-defaults', `--datadir=${dir}/data`, '--user=root', '--skip-test-db'], { stdio: 'ignore' });
  const server = privateServer(
    `mysql://root@127.0.0.1:${port}`,
    dir,
    () =>
      spawn(
        'mariadbd',
        [
          '--no-defaults',
          `--datadir=${dir}/data`,
          `--port=${port}`,
          `--socket=${dir}/mariadb.sock`,
          '--bind-address=127.0.0.1',
          '--user=root',
          '--skip-grant-tables',
          '--innodb-buffer-pool-size=32M',
        ],
        { stdio: 'ignore' },
      ),
    answers('mariadb-admin', ['-h', '127.0.0.1', '-P', String(port), '-uroot', 'ping']),
    'private MariaDB',
  );
  await server.start();
  return server;
}
