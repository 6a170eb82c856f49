import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readJson, sendJson, type Logger } from '@outband/observability';
import { Bank, BankConflict, type Card } from './bank';

/** How the simulated bank misbehaves; every field can change while it runs (`PUT /behaviour`). */
export interface BankBehaviour {
  /** Delay before every answer. */
  latencyMs: number;
  /** The next N calls to the bank API answer 503 without doing anything. */
  failNext: number;
  /** The next N calls are carried out but never answered (the caller times out). */
  dropAnswerNext: number;
}

export interface BankSimulatorOptions {
  port: number;
  host?: string;
  cards?: Array<Omit<Card, 'held'>>;
  behaviour?: Partial<BankBehaviour>;
  logger: Logger;
}

export interface BankSimulator {
  port: number;
  url: string;
  bank: Bank;
  /** What it does now (counters such as `failNext` count down as calls use them). */
  readonly behaviour: Readonly<BankBehaviour>;
  configure(b: Partial<BankBehaviour>): void;
  stop(): Promise<void>;
}

/**
 * The bank as Outband sees it over HTTP: `POST /v1/authorizations` (with `Idempotency-Key`),
 * `POST /v1/authorizations/:id/capture|void`, `GET /v1/authorizations?idempotencyKey=`,
 * `POST /v1/customers/identify {pan}`. For tests and demos: `POST /cards`, `GET /cards/:token`,
 * `GET /authorizations`, `PUT /behaviour`, `GET /healthz`.
 */
export async function startBankSimulator(o: BankSimulatorOptions): Promise<BankSimulator> {
  const bank = new Bank();
  o.cards?.forEach((c) => bank.addCard(c));
  const behaviour: BankBehaviour = { latencyMs: 0, failNext: 0, dropAnswerNext: 0, ...o.behaviour };
  const server = createServer((req, res) => {
    handle(bank, behaviour, req, res).catch((e: unknown) => {
      if (e instanceof BankConflict) {
        sendJson(res, 409, { error: 'conflict', detail: e.message });
        return;
      }
      sendJson(res, 400, { error: 'bad_request', detail: e instanceof Error ? e.message : String(e) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  o.logger.info({ port }, 'bank simulator listening');
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    bank,
    behaviour,
    configure: (b) => Object.assign(behaviour, b),
    stop: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

async function handle(bank: Bank, behaviour: BankBehaviour, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://bank');
  const [, v1, resource, id, action] = url.pathname.split('/');
  if (v1 !== 'v1') {
    await admin(bank, behaviour, req, res, url);
    return;
  }
  if (behaviour.latencyMs > 0) {
    await new Promise((r) => setTimeout(r, behaviour.latencyMs));
  }
  if (behaviour.failNext > 0) {
    behaviour.failNext -= 1;
    sendJson(res, 503, { error: 'unavailable' });
    return;
  }
  const answer = await api(bank, req, url, resource, id, action);
  if (behaviour.dropAnswerNext > 0) {
    behaviour.dropAnswerNext -= 1;
    return; // done, but the caller never hears of it
  }
  sendJson(res, answer.status, answer.body);
}

async function api(
  bank: Bank,
  req: IncomingMessage,
  url: URL,
  resource: string | undefined,
  id: string | undefined,
  action: string | undefined,
): Promise<{ status: number; body: unknown }> {
  const route = `${req.method ?? 'GET'} ${resource ?? ''}${id ? '/:id' : ''}${action ? `/${action}` : ''}`;
  switch (route) {
    case 'POST authorizations': {
      const key = req.headers['idempotency-key'];
      if (typeof key !== 'string' || key.length === 0 || key.length > 255) {
        return { status: 400, body: { error: 'bad_request', detail: 'Idempotency-Key header required' } };
      }
      const b = (await readJson(req)) as Record<string, unknown>;
      if (
        typeof b.cardToken !== 'string' ||
        !Number.isSafeInteger(b.amount) ||
        (b.amount as number) <= 0 ||
        typeof b.currency !== 'string' ||
        typeof b.merchantId !== 'string' ||
        typeof b.reference !== 'string'
      ) {
        return { status: 400, body: { error: 'bad_request', detail: 'send {cardToken, amount, currency, merchantId, reference}' } };
      }
      const a = bank.authorize(key, {
        cardToken: b.cardToken,
        amount: b.amount as number,
        currency: b.currency,
        merchantId: b.merchantId,
        reference: b.reference,
      });
      return { status: 200, body: a };
    }
    case 'GET authorizations': {
      const a = bank.findByKey(url.searchParams.get('idempotencyKey') ?? '');
      return a ? { status: 200, body: a } : { status: 404, body: { error: 'not_found' } };
    }
    case 'POST authorizations/:id/capture':
      return { status: 200, body: bank.capture(id ?? '') };
    case 'POST authorizations/:id/void':
      return { status: 200, body: bank.void(id ?? '') };
    case 'POST customers/:id': {
      if (id !== 'identify') {
        return { status: 404, body: { error: 'not_found' } };
      }
      const b = (await readJson(req)) as { pan?: unknown };
      const found = typeof b.pan === 'string' ? bank.identify(b.pan) : undefined;
      return found ? { status: 200, body: found } : { status: 404, body: { error: 'not_found' } };
    }
    default:
      return { status: 404, body: { error: 'not_found' } };
  }
}

async function admin(bank: Bank, behaviour: BankBehaviour, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
  const card = /^\/cards\/([^/]+)$/.exec(url.pathname);
  switch (`${req.method ?? 'GET'} ${card ? '/cards/:token' : url.pathname}`) {
    case 'GET /healthz':
      sendJson(res, 200, { status: 'ok' });
      return;
    case 'POST /cards':
      sendJson(res, 201, bank.addCard((await readJson(req)) as Card));
      return;
    case 'GET /cards/:token': {
      const c = bank.card(decodeURIComponent(card?.[1] ?? ''));
      sendJson(res, c ? 200 : 404, c ?? { error: 'not_found' });
      return;
    }
    case 'GET /authorizations':
      sendJson(res, 200, { authorizations: bank.list() });
      return;
    case 'PUT /behaviour':
      Object.assign(behaviour, (await readJson(req)) as Partial<BankBehaviour>);
      sendJson(res, 204, null);
      return;
    default:
      sendJson(res, 404, { error: 'not_found' });
  }
}
