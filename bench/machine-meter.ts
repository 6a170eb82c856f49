import { readdirSync, readFileSync } from 'node:fs';

/** What the whole machine did so far: every process, the load generator and the simulator included. */
export interface MachineUsage {
  /** CPU seconds spent busy (user, nice, system, irq, softirq, steal), all cores. */
  busySeconds: number;
  /** Seconds of wall time times the number of cores: the CPU there was to spend. */
  coreSeconds: number;
  /** write-family system calls made by every process still running (Linux `syscw`). */
  writeCalls: number;
}

const hz = 100;

export function machineUsage(): MachineUsage {
  // The first line of /proc/stat sums every core: user nice system idle iowait irq softirq steal.
  const [, ...fields] = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/);
  const t = fields.map(Number);
  const busy = t[0]! + t[1]! + t[2]! + t[5]! + t[6]! + (t[7] ?? 0);
  const all = busy + t[3]! + t[4]!;
  let writeCalls = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) {
      continue;
    }
    try {
      writeCalls += Number(/syscw:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))?.[1] ?? 0);
    } catch {
      // gone, or not ours to read
    }
  }
  return { busySeconds: busy / hz, coreSeconds: all / hz, writeCalls };
}

/** What `ops` operations cost the machine between two readings. */
export interface MachineCost {
  /** CPU ms per operation, every process on the machine. */
  cpuMsPerOp: number;
  /** Share of the cores that were busy, 0–1. */
  busy: number;
  /** write calls per operation, every process (one that exited meanwhile is not counted). */
  writesPerOp: number;
}

export function machineCost(before: MachineUsage, after: MachineUsage, ops: number): MachineCost {
  const n = Math.max(1, ops);
  return {
    cpuMsPerOp: ((after.busySeconds - before.busySeconds) * 1000) / n,
    busy: (after.busySeconds - before.busySeconds) / Math.max(1e-9, after.coreSeconds - before.coreSeconds),
    writesPerOp: (after.writeCalls - before.writeCalls) / n,
  };
}
