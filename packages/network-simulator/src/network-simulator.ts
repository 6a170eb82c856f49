import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readJson, sendJson, type Logger } from '@outband/observability';
import { camaraError, simSwap } from './camara-sim-swap';
import { ClientTokens } from './client-tokens';
import { Lines } from './lines';
import { mnpLookup } from './mnp-lookup';

/** How the operator's APIs misbehave; changes while it runs (`PUT /behaviour`). */
export interface NetworkBehaviour {
  /** Delay before every network API answer. */
  latencyMs: number;
  /** The next N network API calls answer 503 without doing anything. */
  failNext: number;
}

export interface NetworkSimulatorOptions {
  port: number;
  host?: string;
  /** The OAuth client the CAMARA APIs accept. */
  client: { id: string; secret: string };
  /** The key the number portability lookup accepts (`Authorization: Bearer`). */
  mnpApiKey: string;
  tokenLifetimeSeconds?: number;
  behaviour?: Partial<NetworkBehaviour>;
  clock?: () => Date;
  logger: Logger;
}

export interface NetworkSimulator {
  port: number;
  url: string;
  lines: Lines;
  tokens: ClientTokens;
  readonly behaviour: Readonly<NetworkBehaviour>;
  /** Network API calls answered so far, by path. */
  readonly calls: Readonly<Record<string, number>>;
  configure(b: Partial<NetworkBehaviour>): void;
  stop(): Promise<void>;
}

/**
 * The operator's network APIs as Outband calls them: `POST /oauth2/token` (client credentials),
 * CAMARA SIM Swap under `/sim-swap/v2`, a number portability lookup `POST /mnp/v1/lookup`. For
 * tests and the demo's phones (CORS open): `POST /control/sim-swap {phoneNumber, at?}`,
 * `POST /control/port {phoneNumber, at?}`, `GET /control/lines/:number`, `DELETE /control/lines`,
 * `POST /control/revoke-tokens`, `PUT /behaviour`, `GET /healthz`.
 */
export async function startNetworkSimulator(o: NetworkSimulatorOptions): Promise<NetworkSimulator> {
  const clock = o.clock ?? (() => new Date());
  const lines = new Lines(clock);
  const tokens = new ClientTokens(o.client, o.tokenLifetimeSeconds);
  const behaviour: NetworkBehaviour = { latencyMs: 0, failNext: 0, ...o.behaviour };
  const calls: Record<string, number> = {};
  const server = createServer((req, res) => {
    res.setHeader('access-control-allow-origin', '*');
    handle(req, res).catch((e: unknown) => {
      sendJson(res, 400, { status: 400, code: 'INVALID_ARGUMENT', message: e instanceof Error ? e.message : String(e) });
    });
  });

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://network');
    const route = `${req.method ?? 'GET'} ${url.pathname}`;
    if (req.method === 'OPTIONS') {
      res.writeHead(204, { 'access-control-allow-methods': 'GET, POST, PUT, DELETE', 'access-control-allow-headers': 'content-type' });
      res.end();
      return;
    }
    if (route === 'POST /oauth2/token') {
      const form = new URLSearchParams(await readText(req));
      const a = tokens.issue(req.headers, form, clock().getTime());
      sendJson(res, a.status, a.body);
      return;
    }
    const api = /^\/(sim-swap\/v2\/[a-z-]+|mnp\/v1\/lookup)$/.exec(url.pathname)?.[1];
    if (api && req.method === 'POST') {
      const correlator = req.headers['x-correlator'];
      if (typeof correlator === 'string') {
        res.setHeader('x-correlator', correlator);
      }
      calls[api] = (calls[api] ?? 0) + 1;
      if (behaviour.latencyMs > 0) {
        await new Promise((r) => setTimeout(r, behaviour.latencyMs).unref());
      }
      if (behaviour.failNext > 0) {
        behaviour.failNext -= 1;
        const e = camaraError(503, 'UNAVAILABLE', 'Service Unavailable.');
        sendJson(res, e.status, e.body);
        return;
      }
      const body = await readJson(req);
      const a =
        api === 'mnp/v1/lookup'
          ? req.headers.authorization === `Bearer ${o.mnpApiKey}`
            ? mnpLookup(lines, body)
            : { status: 401, body: { error: 'unauthorized' } }
          : tokens.valid(req.headers.authorization, clock().getTime())
            ? simSwap(lines, api.slice('sim-swap/v2/'.length), body, clock())
            : camaraError(401, 'UNAUTHENTICATED', 'Request not authenticated due to missing, invalid, or expired credentials.');
      sendJson(res, a.status, a.body);
      return;
    }
    await control(req, res, url, route);
  }

  async function control(req: IncomingMessage, res: ServerResponse, url: URL, route: string): Promise<void> {
    const line = /^\/control\/lines\/([^/]+)$/.exec(url.pathname);
    switch (line ? `GET /control/lines/:number` : route) {
      case 'GET /healthz':
        sendJson(res, 200, { status: 'ok' });
        return;
      case 'POST /control/sim-swap':
      case 'POST /control/port': {
        const b = (await readJson(req)) as { phoneNumber?: unknown; at?: unknown };
        if (typeof b.phoneNumber !== 'string' || !/^\+[1-9][0-9]{4,14}$/.test(b.phoneNumber)) {
          sendJson(res, 400, { error: 'bad_request', detail: 'send {phoneNumber} as an E.164 number, and optionally {at}' });
          return;
        }
        const at = typeof b.at === 'string' ? new Date(b.at) : clock();
        const changed = route === 'POST /control/port' ? lines.port(b.phoneNumber, at) : lines.swapSim(b.phoneNumber, at);
        o.logger.info({ phoneNumber: b.phoneNumber, route }, 'line changed');
        sendJson(res, 200, changed);
        return;
      }
      case 'GET /control/lines/:number':
        sendJson(res, 200, lines.get(decodeURIComponent(line?.[1] ?? '')));
        return;
      case 'DELETE /control/lines':
        lines.reset();
        sendJson(res, 204, null);
        return;
      case 'POST /control/revoke-tokens':
        tokens.revokeAll();
        sendJson(res, 204, null);
        return;
      case 'PUT /behaviour':
        Object.assign(behaviour, (await readJson(req)) as Partial<NetworkBehaviour>);
        sendJson(res, 204, null);
        return;
      default:
        sendJson(res, 404, { status: 404, code: 'NOT_FOUND', message: 'The specified resource is not found.' });
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  o.logger.info({ port }, 'network simulator listening');
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    lines,
    tokens,
    behaviour,
    calls,
    configure: (b) => Object.assign(behaviour, b),
    stop: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

async function readText(req: IncomingMessage): Promise<string> {
  let body = '';
  for await (const chunk of req) {
    body += String(chunk);
    if (body.length > 8192) {
      throw new Error('body too large');
    }
  }
  return body;
}
