import { execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { eventually } from './http';
import { freePort, rabbitmqNodeDir, removeRabbitmqNodeDir, stopRabbitmqNode } from './private-servers';

const run = promisify(execFile);

/** One node of the cluster. */
export interface ClusterNode {
  /** Its Erlang node name, `outband-<id>-c1@localhost`. */
  name: string;
  /** Its AMQP port on 127.0.0.1. */
  port: number;
  /** guest into the cluster's vhost, on this node. */
  url: string;
  running: boolean;
}

/** A RabbitMQ cluster of nodes on this machine, for one test file; the machine's broker is left alone. */
export interface RabbitmqCluster {
  nodes: ClusterNode[];
  /** The vhost made for the test, where guest may do anything. */
  vhost: string;
  /** Every node's URL, comma-separated: the value of AMQP_URL. */
  amqpUrl: string;
  /** Runs `rabbitmqctl` against `node` (the first running one by default); answers what it printed. */
  ctl(args: string[], node?: ClusterNode): Promise<string>;
  /**
   * Stops a node: `clean`ly (as `rabbitmqctl shutdown`: connections closed, leaders handed over)
   * or `crash` (its VM killed); answers once the VM is gone and the other nodes see it down.
   */
  stop(node: ClusterNode, how?: 'clean' | 'crash'): Promise<void>;
  /** Starts a stopped node again; answers once it runs and is back in the cluster. */
  start(node: ClusterNode): Promise<void>;
  /** Kills every node and removes their files. */
  destroy(): Promise<void>;
}

interface NodeProcess {
  node: ClusterNode;
  dir: string;
  env: NodeJS.ProcessEnv;
}

/**
 * Starts `size` RabbitMQ nodes (names, ports and directories of their own; no plugins), joins
 * the others to the first with `rabbitmqctl join_cluster`, and makes a vhost for guest. Each step
 * waits for the nodes' own word (`rabbitmqctl wait`, `await_online_nodes`), never for a time.
 */
export async function startRabbitmqCluster(size = 3): Promise<RabbitmqCluster> {
  const id = randomBytes(3).toString('hex');
  const vhost = 'outband';
  const ports = await distinctFreePorts(size * 2);
  const processes: NodeProcess[] = [];
  const ctl = async (args: string[], node = processes.find((p) => p.node.running)?.node): Promise<string> => {
    if (!node) {
      throw new Error('RabbitMQ cluster: no node is running');
    }
    const { stdout } = await run('rabbitmqctl', ['-q', '-n', node.name, ...args], { timeout: 90_000 });
    return stdout;
  };
  const nodeOf = (node: ClusterNode) => {
    const p = processes.find((q) => q.node === node);
    if (!p) {
      throw new Error(`RabbitMQ cluster: ${node.name} is none of its nodes`);
    }
    return p;
  };
  const destroy = async () => {
    await Promise.all(processes.map((p) => stopRabbitmqNode(p.dir, 'KILL')));
    processes.forEach((p) => (p.node.running = false));
    // A node's name leaves epmd with its VM.
    const names = processes.map((p) => p.node.name.replace(/@.*/, ''));
    await eventually(async () => {
      const { stdout } = await run('epmd', ['-names']).catch(() => ({ stdout: '' }));
      return names.some((n) => stdout.includes(`name ${n} `)) ? undefined : true;
    }, 10_000).catch(() => undefined);
    processes.forEach((p) => removeRabbitmqNodeDir(p.dir));
  };
  try {
    for (let i = 0; i < size; i++) {
      const port = ports[i * 2] ?? 0;
      const name = `outband-${id}-c${i + 1}@localhost`;
      const { dir, env } = rabbitmqNodeDir({
        node: name,
        distPort: ports[i * 2 + 1] ?? 0,
        conf: [
          `listeners.tcp.local = 127.0.0.1:${port}`,
          'loopback_users = none',
          // Small nodes: quorum queues keep their write-ahead log in memory up to this size.
          'raft.wal_max_size_bytes = 33554432',
          '',
        ].join('\n'),
      });
      // One scheduler that sleeps when idle: three nodes share the machine with the tests.
      env.RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS = '+S 1:1 +sbwt none +sbwtdcpu none +sbwtdio none';
      const node: ClusterNode = { name, port, url: `amqp://guest:guest@127.0.0.1:${port}/${vhost}`, running: false };
      processes.push({ node, dir, env });
    }
    await Promise.all(processes.map((p) => launch(p)));
    const [first, ...others] = processes;
    for (const p of others) {
      await ctl(['stop_app'], p.node);
      await ctl(['join_cluster', first?.node.name ?? ''], p.node);
      await ctl(['start_app'], p.node);
    }
    await ctl(['await_online_nodes', String(size), '--timeout', '60']);
    await ctl(['add_vhost', vhost]);
    await ctl(['set_permissions', '-p', vhost, 'guest', '.*', '.*', '.*']);
  } catch (err) {
    await destroy();
    throw err;
  }
  const nodes = processes.map((p) => p.node);
  return {
    nodes,
    vhost,
    amqpUrl: nodes.map((n) => n.url).join(','),
    ctl,
    async stop(node, how = 'clean') {
      const p = nodeOf(node);
      await stopRabbitmqNode(p.dir, how === 'clean' ? 'TERM' : 'KILL');
      node.running = false;
      await eventually(async () => {
        const status = JSON.parse(await ctl(['cluster_status', '--formatter', 'json'])) as { running_nodes?: string[] };
        return status.running_nodes?.includes(node.name) ? undefined : true;
      }, 30_000);
    },
    async start(node) {
      await launch(nodeOf(node));
      await ctl(['await_online_nodes', String(nodes.filter((n) => n.running).length), '--timeout', '60'], node);
    },
    destroy,
  };
}

/**
 * Starts a node's `rabbitmq-server` and answers once its applications run; a node that exits
 * first (a port taken meanwhile) fails at once.
 */
async function launch(p: NodeProcess): Promise<void> {
  const pidFile = join(p.dir, 'pid');
  // A stopped node's pid file may still name its old VM.
  rmSync(pidFile, { force: true });
  const child = spawn('rabbitmq-server', [], { env: p.env, stdio: 'ignore', cwd: p.dir });
  const exited = new Promise<never>((_, reject) =>
    child.once('exit', (code) => reject(new Error(`RabbitMQ node ${p.node.name} exited with ${String(code)} (logs in ${p.dir}/log)`))),
  );
  exited.catch(() => undefined);
  await Promise.race([run('rabbitmqctl', ['-q', '-n', p.node.name, 'wait', pidFile, '--timeout', '90'], { timeout: 100_000 }), exited]);
  p.node.running = true;
}

/** Ports free on loopback now, none given twice. */
async function distinctFreePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) {
    ports.add(await freePort());
  }
  return [...ports];
}
