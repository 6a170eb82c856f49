import { sendJson } from './http-json';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';

/** A readiness check: resolves to `null` when ready, or a reason when not. */
export type ReadinessCheck = () => Promise<string | null>;

/** Named readiness checks (e.g. broker, redis, mysql, smpp). */
export type ReadinessChecks = Record<string, ReadinessCheck>;

/** Runs every check with a bound, so a hung dependency reads as "not ready" instead of hanging. */
export async function readiness(checks: ReadinessChecks, timeoutMs = 2000): Promise<{ ready: boolean; reasons: Record<string, string> }> {
  const reasons: Record<string, string> = {};
  await Promise.all(
    Object.entries(checks).map(async ([name, check]) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
      });
      try {
        const reason = await Promise.race([check().catch((e: unknown) => (e instanceof Error ? e.message : String(e))), timeout]);
        if (reason !== null) {
          reasons[name] = reason;
        }
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ready: Object.keys(reasons).length === 0, reasons };
}

/**
 * Answers `/healthz`, `/readyz` and, given a registry, `/metrics`; returns false for any other
 * path so a caller (express or a bare server) can go on.
 */
export function handleOpsRequest(req: IncomingMessage, res: ServerResponse, checks: ReadinessChecks, registry?: Registry): boolean {
  const path = (req.url ?? '').split('?')[0];
  if (req.method !== 'GET' || (path !== '/healthz' && path !== '/readyz' && (path !== '/metrics' || !registry))) {
    return false;
  }
  void respond(path, res, checks, registry);
  return true;
}

async function respond(path: string, res: ServerResponse, checks: ReadinessChecks, registry: Registry | undefined): Promise<void> {
  try {
    if (path === '/healthz') {
      sendJson(res, 200, { status: 'ok' });
    } else if (path === '/readyz') {
      const { ready, reasons } = await readiness(checks);
      sendJson(res, ready ? 200 : 503, { status: ready ? 'ready' : 'not_ready', reasons });
    } else if (registry) {
      const body = await registry.metrics();
      res.writeHead(200, { 'content-type': registry.contentType });
      res.end(body);
    }
  } catch (e) {
    sendJson(res, 500, { status: 'error', detail: e instanceof Error ? e.message : 'unknown' });
  }
}

/** A bare HTTP server for the ops endpoints of a service that has no HTTP API of its own. */
export async function startOpsServer(port: number, host: string, checks: ReadinessChecks, registry: Registry): Promise<Server> {
  const server = createServer((req, res) => {
    if (!handleOpsRequest(req, res, checks, registry)) {
      sendJson(res, 404, { status: 'not_found' });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

/** Closes a server, ending idle keep-alive connections so shutdown does not wait on them. */
export async function closeServer(server: Server): Promise<void> {
  await new Promise<void>((resolve) => {
    server.close(() => resolve());
    server.closeIdleConnections();
  });
}
