import { machineCost, machineUsage, type MachineCost } from './machine-meter';
import { serverCpu } from './processes';

/** CPU ms per operation by process (the services, the shared servers) and for the whole machine. */
export interface OperationCost extends MachineCost {
  byProcess: Record<string, number>;
}

/**
 * Measures what `run` costs per operation it reports done: each service's and shared server's
 * CPU from `/proc`, and the whole machine's (the load generator and the simulator included).
 */
export async function costOf<T extends { done: number }>(
  services: () => Record<string, number>,
  run: () => Promise<T>,
): Promise<{ result: T; cost: OperationCost }> {
  const [s0, v0, m0] = [services(), serverCpu(), machineUsage()];
  const result = await run();
  const [s1, v1, m1] = [services(), serverCpu(), machineUsage()];
  const per = (a: number, b: number) => ((b - a) * 1000) / Math.max(1, result.done);
  const byProcess: Record<string, number> = {};
  for (const k of Object.keys(s1)) {
    byProcess[`${k} server`] = per(s0[k] ?? 0, s1[k] ?? 0);
  }
  for (const k of Object.keys(v1)) {
    byProcess[k] = per(v0[k] ?? 0, v1[k] ?? 0);
  }
  return { result, cost: { ...machineCost(m0, m1, result.done), byProcess } };
}

/** Rows for `printTable`: one per operation, CPU ms by process, the machine's, write calls. */
export function costRows(costs: Array<[string, OperationCost]>): Array<Record<string, string | number>> {
  return costs.map(([what, c]) => ({
    'CPU ms per': what,
    ...Object.fromEntries(Object.entries(c.byProcess).map(([k, v]) => [k, v.toFixed(2)])),
    'machine (all processes)': c.cpuMsPerOp.toFixed(2),
    'cores busy': `${(c.busy * 100).toFixed(0)}%`,
    'write calls': c.writesPerOp.toFixed(1),
  }));
}
