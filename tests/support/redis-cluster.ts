import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from './http';

const run = promisify(execFile);

/** A Redis Cluster of masters only, on loopback, in a temporary folder, for one test file. */
export interface RedisCluster {
  /** The masters' client ports. */
  ports: number[];
  /** `127.0.0.1:p1,127.0.0.1:p2,…`: the value of REDIS_CLUSTER_NODES. */
  nodes: string;
  /** Stops the servers and deletes their folder. */
  stop(): Promise<void>;
}

/**
 * Starts `masters` redis-server processes in cluster mode, joins them with
 * `redis-cli --cluster create` (no replicas), and answers once every node says `cluster_state:ok`.
 */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'outband-redis-cluster-'));
  // A client port and a cluster bus port each: the default bus port (client + 10000) may not exist.
  const free = await freePorts(masters * 2);
  const ports = free.slice(0, masters);
  const children: ChildProcess[] = [];
  // A server that cannot start (no binary, a port taken meanwhile) ends the wait at once.
  let failure: Error | undefined;
  const stop = async () => {
    failure ??= new Error('Redis Cluster stopped');
    await Promise.all(children.map(stopChild));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    ports.forEach((port, i) => {
      const child = spawn(
        'redis-server',
        [
          ...['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes'],
          ...['--cluster-port', String(free[masters + i]), '--cluster-config-file', `nodes-${port}.conf`],
          ...['--dir', dir, '--save', '', '--appendonly', 'no', '--daemonize', 'no'],
        ],
        { stdio: 'ignore' },
      );
      child.once('error', (err) => (failure ??= err));
      child.once('exit', (code) => (failure ??= new Error(`redis-server on port ${port} exited with ${String(code)}`)));
      children.push(child);
    });
    await Promise.all(
      ports.map((port) =>
        until(
          async () => (await cli(port, 'PING')) === 'PONG',
          `node ${port} answering PING`,
          () => failure,
        ),
      ),
    );
    await run('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes']);
    await Promise.all(
      ports.map((port) =>
        until(
          async () => (await cli(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok'),
          `node ${port} cluster_state:ok`,
          () => failure,
        ),
      ),
    );
  } catch (err) {
    await stop();
    throw err;
  }
  return { ports, nodes: ports.map((p) => `127.0.0.1:${p}`).join(','), stop };
}

/** One command to one node; '' when the node does not answer (yet). */
async function cli(port: number, ...command: string[]): Promise<string> {
  try {
    return (await run('redis-cli', ['-p', String(port), ...command])).stdout.trim();
  } catch {
    return '';
  }
}

/** Polls `ready` until it holds, for at most 20 s, unless `failed` tells why it never will. */
async function until(ready: () => Promise<boolean>, what: string, failed: () => Error | undefined): Promise<void> {
  let died: Error | undefined;
  await eventually(async () => {
    died = failed();
    return died || (await ready()) ? true : undefined;
  }, 20_000).catch(() => {
    throw new Error(`Redis Cluster: no ${what} within 20 s`);
  });
  if (died) {
    throw died;
  }
}

/** Ports free on loopback right now, held together so that none is given twice. */
async function freePorts(count: number): Promise<number[]> {
  const servers = await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<Server>((resolve, reject) => {
          const s = createServer();
          s.once('error', reject);
          s.listen(0, '127.0.0.1', () => resolve(s));
        }),
    ),
  );
  const ports = servers.map((s) => (s.address() as AddressInfo).port);
  await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  return ports;
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) {
    return Promise.resolve();
  }
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}
