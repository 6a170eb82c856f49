import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
const rabbitDirs = new Set<string>();
// Torn down even when a test fails or the run is interrupted.
process.on('exit', () => {
  running.forEach((c) => c.kill('SIGKILL'));
  rabbitDirs.forEach((dir) => {
    const pidFile = join(dir, 'pid');
    if (existsSync(pidFile)) {
      spawnSync('kill', ['-KILL', readFileSync(pidFile, 'utf8').trim()]);
    }
  });
});

/** A TCP port nobody listens on now. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** Polls `probe` every 100 ms until it holds; fails naming `what` after `timeoutMs`. */
export async function waitFor(probe: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
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

/** `aof`: with an append-only file, as production runs it (docker compose), so data survives a restart. */
export async function privateRedis(o: { aof?: boolean } = {}): Promise<PrivateServer> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'outband-redis-'));
  const server = privateServer(
    `redis://127.0.0.1:${port}`,
    dir,
    () =>
      spawn(
        'redis-server',
        [
          '--port',
          String(port),
          '--bind',
          '127.0.0.1',
          '--save',
          '',
          '--appendonly',
          o.aof ? 'yes' : 'no',
          '--appendfsync',
          'always',
          '--dir',
          dir,
        ],
        { stdio: 'ignore' },
      ),
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

/**
 * A directory of its own for a RabbitMQ node (`rabbitmq.conf` holding `conf`, data, logs, pid
 * file; no plugins), and the environment that starts `rabbitmq-server` there. Debian's
 * `rabbitmq-server` runs the node as the `rabbitmq` user, so that user owns the directory. The
 * node is killed when this process exits.
 */
export function rabbitmqNodeDir(o: { node: string; distPort: number; conf: string }): { dir: string; env: NodeJS.ProcessEnv } {
  const { node, distPort } = o;
  const dir = mkdtempSync(join(tmpdir(), 'outband-rabbitmq-'));
  writeFileSync(join(dir, 'enabled_plugins'), '[].\n');
  writeFileSync(join(dir, 'rabbitmq.conf'), o.conf);
  execFileSync('chown', ['-R', 'rabbitmq:rabbitmq', dir]);
  rabbitDirs.add(dir);
  const env = {
    ...process.env,
    ERL_CRASH_DUMP: join(dir, 'erl_crash.dump'),
    RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq'),
    RABBITMQ_NODENAME: node,
    RABBITMQ_DIST_PORT: String(distPort),
    RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
    RABBITMQ_MNESIA_DIR: join(dir, 'mnesia', 'node'),
    RABBITMQ_FEATURE_FLAGS_FILE: join(dir, 'feature_flags'),
    RABBITMQ_PLUGINS_EXPAND_DIR: join(dir, 'plugins'),
    RABBITMQ_LOG_BASE: join(dir, 'log'),
    RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
    RABBITMQ_PID_FILE: join(dir, 'pid'),
  };
  return { dir, env };
}

/**
 * Stops the node started in `dir`: it runs under another user through a wrapper, so its own pid
 * file names the VM. TERM is a clean shutdown (KILL after 30 s); KILL is a crash.
 */
export async function stopRabbitmqNode(dir: string, signal: 'TERM' | 'KILL' = 'TERM'): Promise<void> {
  const pidFile = join(dir, 'pid');
  const pid = existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : NaN;
  if (Number.isInteger(pid) && pid > 0) {
    spawnSync('kill', [`-${signal}`, String(pid)]);
    await waitFor(() => spawnSync('kill', ['-0', String(pid)]).status !== 0, 'private RabbitMQ to stop', 30_000).catch(() =>
      spawnSync('kill', ['-KILL', String(pid)]),
    );
  }
}

/** Removes a node's directory once its node is stopped. */
export function removeRabbitmqNodeDir(dir: string): void {
  rabbitDirs.delete(dir);
  rmSync(dir, { recursive: true, force: true });
}

/** A RabbitMQ node of its own (name, port, data and log dirs; no plugins). */
export async function privateRabbitmq(): Promise<PrivateServer> {
  const port = await freePort();
  const distPort = await freePort();
  const node = `outband-${port}@localhost`;
  const { dir, env } = rabbitmqNodeDir({ node, distPort, conf: `listeners.tcp.local = 127.0.0.1:${port}\nloopback_users = none\n` });
  const listening = () => {
    try {
      execFileSync('bash', ['-c', `exec 3<>/dev/tcp/127.0.0.1/${port}`], { stdio: 'ignore', timeout: 2000 });
      return true;
    } catch {
      return false;
    }
  };
  let child: ChildProcess | undefined;
  const stop = async () => {
    await stopRabbitmqNode(dir);
    await waitFor(() => !listening(), 'private RabbitMQ to stop');
    if (child) {
      running.delete(child);
      child = undefined;
    }
  };
  const server: PrivateServer = {
    url: `amqp://guest:guest@127.0.0.1:${port}`,
    async start() {
      child = spawn('rabbitmq-server', [], { env, stdio: 'ignore', cwd: dir });
      running.add(child);
      await waitFor(listening, 'private RabbitMQ', 60_000);
    },
    stop,
    async destroy() {
      await stop().catch(() => undefined);
      removeRabbitmqNodeDir(dir);
    },
  };
  await server.start();
  return server;
}
