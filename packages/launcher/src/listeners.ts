import { createServer } from 'node:net';

/** A port the launcher listens on, and the variable that moves it. */
export interface Listener {
  port: number;
  host: string;
  /** The environment variable that sets the port. */
  variable: string;
  /** How the port follows from the variable, when it is not its value (e.g. "OPS_PORT+1"). */
  derived?: string;
}

/** A port some other process holds: the one line a person needs, no stack. */
export class PortTakenError extends Error {
  constructor(
    readonly taken: Listener,
    readonly others: Listener[] = [],
  ) {
    const how = taken.derived ? `: ${taken.derived}` : '';
    const more = others.length > 0 ? `\n(port${others.length > 1 ? 's' : ''} ${others.map((l) => l.port).join(', ')} taken too)` : '';
    super(`Outband is already running on port ${taken.port} (set ${taken.variable} to change it${how})${more}`);
    this.name = 'PortTakenError';
  }
}

/**
 * Refuses to start before anything is opened (the SQLite file included) when a fixed port is
 * taken, most likely by an Outband started before: the first in `listeners`' order is named.
 */
export async function requireFreePorts(listeners: readonly Listener[]): Promise<void> {
  const taken: Listener[] = [];
  for (const l of listeners) {
    if (l.port !== 0 && !(await isFree(l.port, l.host))) {
      taken.push(l);
    }
  }
  const [first, ...others] = taken;
  if (first) {
    throw new PortTakenError(first, others);
  }
}

/**
 * The same error for an EADDRINUSE thrown while starting (a port taken meanwhile): `err` as
 * `PortTakenError` when it names one of `listeners`' ports.
 */
export function asPortTaken(err: unknown, listeners: readonly Listener[]): unknown {
  const e = err as { code?: unknown; port?: unknown } | null;
  const found = e?.code === 'EADDRINUSE' ? listeners.find((l) => l.port === e.port) : undefined;
  return found ? new PortTakenError(found) : err;
}

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', (err: NodeJS.ErrnoException) => (err.code === 'EADDRINUSE' ? resolve(false) : reject(err)));
    server.listen({ port, host, exclusive: true }, () => server.close(() => resolve(true)));
  });
}
