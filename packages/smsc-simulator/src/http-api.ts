import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readJson, sendJson } from '@outband/observability';
import { parseBehaviour } from './behaviour-input';
import { Inbox } from './inbox';
import { phonePage } from './phone-page';
import type { SmscSimulator } from './simulator-types';

/**
 * The simulator's HTTP side: `GET /inbox/:address` (what a handset received), `GET /inbox`,
 * `DELETE /inbox`, `GET /stats`, `PUT /behaviour` (JSON), `POST /mo {from, to, text}`,
 * `POST /drop` (drop every SMPP link), `GET /phone` (the handsets, as a page), `GET /healthz`.
 */
export async function startHttpApi(
  sim: SmscSimulator,
  port: number,
  host: string,
  networkUrl?: string,
): Promise<{ port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    handle(sim, req, res, networkUrl).catch((e: unknown) =>
      sendJson(res, 400, { title: 'bad request', detail: e instanceof Error ? e.message : String(e) }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

async function handle(sim: SmscSimulator, req: IncomingMessage, res: ServerResponse, networkUrl: string | undefined): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://simulator');
  const match = /^\/inbox\/([^/]+)$/.exec(url.pathname);
  const route = `${req.method ?? 'GET'} ${match ? '/inbox/:address' : url.pathname}`;
  switch (route) {
    case 'GET /inbox/:address': {
      const address = decodeURIComponent(match?.[1] ?? '');
      sendJson(res, 200, { address: Inbox.normalize(address), messages: sim.inbox.list(address) });
      return;
    }
    case 'GET /inbox':
      sendJson(res, 200, { addresses: sim.inbox.addresses(), count: sim.inbox.count() });
      return;
    case 'DELETE /inbox':
      sim.inbox.clear();
      sendJson(res, 204, null);
      return;
    case 'GET /stats':
      sendJson(res, 200, sim.stats());
      return;
    case 'GET /phone':
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(phonePage(networkUrl));
      return;
    case 'GET /healthz':
      sendJson(res, 200, { status: 'ok', binds: sim.stats().binds });
      return;
    case 'PUT /behaviour':
      sim.configure(parseBehaviour(await readJson(req)));
      sendJson(res, 204, null);
      return;
    case 'POST /mo': {
      const mo = (await readJson(req)) as { from?: unknown; to?: unknown; text?: unknown };
      if (typeof mo.from !== 'string' || typeof mo.to !== 'string' || typeof mo.text !== 'string') {
        sendJson(res, 400, { title: 'bad request', detail: 'send {from, to, text} as strings' });
        return;
      }
      sendJson(res, 202, { parts: sim.injectMo({ from: mo.from, to: mo.to, text: mo.text }) });
      return;
    }
    case 'POST /drop':
      sim.dropLinks();
      sendJson(res, 204, null);
      return;
    default:
      sendJson(res, 404, { title: 'not found' });
  }
}
