import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { resolve } from 'node:path';

/** The project root, seen from the compiled bench (node_modules/.cache/outband-bench). */
export const root = resolve(__dirname, '../../..');

export async function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolvePort(port));
    });
  });
}

/** Starts a compiled entry point of the project as a child process. */
export function startNode(script: string, env: Record<string, string>, args: string[] = []): ChildProcess {
  // BENCH_CPU_PROF=dir writes a CPU profile of each child there (open it in Chrome DevTools).
  const prof = process.env.BENCH_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_CPU_PROF}`] : [];
  // BENCH_LOG_DIR=dir keeps each child's log (warnings and errors) there.
  const logDir = process.env.BENCH_LOG_DIR;
  const log = logDir ? openSync(resolve(logDir, `${script.replace(/\W+/g, '-')}.log`), 'a') : 'ignore';
  const child = spawn(process.execPath, [...prof, resolve(root, script), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', log, logDir ? log : 'inherit'],
  });
  child.on('exit', (code, signal) => {
    if (code !== 0 && signal !== 'SIGTERM' && signal !== 'SIGKILL') {
      console.error(`${script} exited with ${code ?? signal}`);
    }
  });
  return child;
}

/** Waits until `url` answers 200 (a health or readiness endpoint). */
export async function waitOk(url: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if ((await fetch(url)).ok) {
        return;
      }
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      throw new Error(`${url} did not become ready`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) {
    return;
  }
  await new Promise<void>((r) => {
    child.once('exit', () => r());
    child.kill('SIGTERM');
    setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
  });
}

/** Peak resident memory of a process, in MB (Linux). */
export function peakRssMb(pid: number | undefined): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? NaN);
    return kb / 1024;
  } catch {
    return NaN;
  }
}

/** CPU time (user + system) a process has used so far, in seconds (Linux; clock ticks of 100 Hz). */
export function cpuSecondsOf(pid: number | undefined): number {
  try {
    // The fields after the command name, which may hold spaces: utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return NaN;
  }
}

/** The shared servers every service talks to, by process name. */
const sharedServers = ['mariadbd', 'beam.smp', 'redis-server'] as const;

/** CPU seconds of the shared servers so far, by process name. */
export function serverCpu(): Record<string, number> {
  const out: Record<string, number> = {};
  for (const name of sharedServers) {
    let pids: string[] = [];
    try {
      pids = execFileSync('pgrep', ['-x', name], { encoding: 'utf8' }).split('\n').filter(Boolean);
    } catch {
      // not running here
    }
    out[name] = pids.reduce((n, pid) => n + (cpuSecondsOf(Number(pid)) || 0), 0);
  }
  return out;
}
