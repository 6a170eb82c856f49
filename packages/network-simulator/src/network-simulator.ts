import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readJson, sendJson, type Logger } from '@outband/observability';
import { AuthorizationCodes } from './authorization-codes';
import { authorize, deviceLine } from './authorize-endpoint';
import { camaraError, unauthenticated, type CamaraAnswer } from './camara-error';
import { numberVerification } from './camara-number-verification';
import { simSwap } from './camara-sim-swap';
import { ClientTokens } from './client-tokens';
import { exchangeCode } from './code-exchange';
import { DeviceTokens } from './device-tokens';
import { e164, Lines } from './lines';
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
  /** The redirect URIs `/authorize` accepts, exactly; undefined: any absolute http(s) URL. */
  redirectUris?: string[];
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
  /** The line `/authorize` takes a request without `x-msisdn` to come from; null: none (Wi-Fi). */
  readonly dataSession: string | null;
  setDataSession(phoneNumber: string | null): void;
  configure(b: Partial<NetworkBehaviour>): void;
  stop(): Promise<void>;
}

/**
 * The operator's network APIs as Outband calls them: `POST /oauth2/token` (client credentials, and
 * authorization code with PKCE), `GET /authorize` (OIDC, `prompt=none`: the device's line found by
 * header enrichment), CAMARA SIM Swap under `/sim-swap/v2`, CAMARA Number Verification under
 * `/number-verification/v2`, a number portability lookup `POST /mnp/v1/lookup`. For tests and the
 * demo's phones (CORS open): `POST /control/sim-swap {phoneNumber, at?}`, `POST /control/port
 * {phoneNumber, at?}`, `POST /control/data-session {phoneNumber | null}`, `GET /control/lines/:number`,
 * `DELETE /control/lines`, `POST /control/revoke-tokens`, `PUT /behaviour`, `GET /healthz`.
 */
export async function startNetworkSimulator(o: NetworkSimulatorOptions): Promise<NetworkSimulator> {
  const clock = o.clock ?? (() => new Date());
  const lines = new Lines(clock);
  const tokens = new ClientTokens(o.client, o.tokenLifetimeSeconds);
  const codes = new AuthorizationCodes();
  const deviceTokens = new DeviceTokens();
  let dataSession: string | null = null;
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
    if (route === 'GET /authorize') {
      const client = { clientId: o.client.id, redirectUris: o.redirectUris };
      const a = authorize(url.searchParams, deviceLine(req.headers, dataSession, lines), client, codes, clock().getTime());
      res.setHeader('cache-control', 'no-store');
      if (a.location !== undefined) {
        res.writeHead(302, { location: a.location }).end();
      } else {
        sendJson(res, a.status, a.body);
      }
      return;
    }
    if (route === 'POST /oauth2/token') {
      const form = new URLSearchParams(await readText(req));
      const now = clock().getTime();
      if (form.get('grant_type') !== 'authorization_code') {
        const a = tokens.issue(req.headers, form, now);
        sendJson(res, a.status, a.body);
        return;
      }
      res.setHeader('cache-control', 'no-store');
      const a = tokens.authenticates(req.headers)
        ? exchangeCode(form, o.client.id, codes, deviceTokens, now)
        : { status: 401, body: { error: 'invalid_client' } };
      sendJson(res, a.status, a.body);
      return;
    }
    const api = /^\/(sim-swap\/v2\/[a-z-]+|number-verification\/v2\/[a-z-]+|mnp\/v1\/lookup)$/.exec(url.pathname)?.[1];
    // Number Verification has a GET (device-phone-number); the others only POST.
    if (api && (req.method === 'POST' || (req.method === 'GET' && api.startsWith('number-verification/')))) {
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
      const a = answer(api, req, req.method === 'POST' ? await readJson(req) : undefined);
      sendJson(res, a.status, a.body);
      return;
    }
    await control(req, res, url, route);
  }

  function answer(api: string, req: IncomingMessage, body: unknown): CamaraAnswer {
    const authorization = req.headers.authorization;
    if (api === 'mnp/v1/lookup') {
      return authorization === `Bearer ${o.mnpApiKey}` ? mnpLookup(lines, body) : { status: 401, body: { error: 'unauthorized' } };
    }
    if (api.startsWith('number-verification/v2/')) {
      const operation = api.slice('number-verification/v2/'.length);
      const call = { method: req.method ?? 'GET', operation, authorization, body };
      return numberVerification(call, { device: deviceTokens, client: tokens }, clock().getTime());
    }
    return tokens.valid(authorization, clock().getTime())
      ? simSwap(lines, api.slice('sim-swap/v2/'.length), body, clock())
      : unauthenticated();
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
        if (typeof b.phoneNumber !== 'string' || !e164.test(b.phoneNumber)) {
          sendJson(res, 400, { error: 'bad_request', detail: 'send {phoneNumber} as an E.164 number, and optionally {at}' });
          return;
        }
        const at = typeof b.at === 'string' ? new Date(b.at) : clock();
        const changed = route === 'POST /control/port' ? lines.port(b.phoneNumber, at) : lines.swapSim(b.phoneNumber, at);
        o.logger.info({ phoneNumber: b.phoneNumber, route }, 'line changed');
        sendJson(res, 200, changed);
        return;
      }
      case 'POST /control/data-session': {
        const { phoneNumber } = (await readJson(req)) as { phoneNumber?: unknown };
        if (phoneNumber !== null && (typeof phoneNumber !== 'string' || !e164.test(phoneNumber))) {
          sendJson(res, 400, { error: 'bad_request', detail: 'send {phoneNumber} as an E.164 number, or null for none' });
          return;
        }
        dataSession = phoneNumber;
        sendJson(res, 200, { phoneNumber });
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
        deviceTokens.revokeAll();
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
    get dataSession() {
      return dataSession;
    },
    setDataSession: (phoneNumber) => {
      dataSession = phoneNumber;
    },
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
