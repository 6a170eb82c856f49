import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readJson, sendJson, type Logger } from '@outband/observability';
import { Outband, OutbandError, type ClientOptions, type PaymentView } from '@outband/sdk';
import { catalog, priceCart } from './catalog';
import { shopPage } from './shop-page';
import { SessionStore, type SessionStoreOptions } from './session-store';

export interface DemoShopOptions {
  port: number;
  host?: string;
  /** How the shop reaches Outband: it is a merchant like any other, through the public API. */
  outband: ClientOptions;
  /** The payee shown in the SMS. */
  payee?: string;
  /** Where the simulated phones are, linked from the page. */
  phoneUrl?: string;
  logger: Logger;
  /** Bounds on the sessions kept in memory (count and idle time). */
  sessions?: SessionStoreOptions;
}

export interface DemoShop {
  url: string;
  stop(): Promise<void>;
}

/** One browser's state at the shop; kept in memory (bounded), lost on restart (it is a demo). */
interface ShopSession {
  identifier?: string;
  signIn?: { verificationId: string; identifier: string };
  payment?: { id: string; verificationId: string; transaction: Transaction };
}

type Transaction = { amount: number; currency: string; payee: string; items: Array<{ name: string; quantity: number }> };

/** A problem the shop answers itself (the page shows `detail`). */
class ShopProblem extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    detail: string,
  ) {
    super(detail);
  }
}

/**
 * The demo shop: signs its customers in with an Outband code and asks for one when a basket is
 * above the merchant's limit. It keeps no secret of Outband's: codes go from the phone to the
 * shop to Outband, which alone can check them.
 */
export async function startDemoShop(o: DemoShopOptions): Promise<DemoShop> {
  const outband = new Outband(o.outband);
  const sessions = new SessionStore<ShopSession>(o.sessions);
  const payee = o.payee ?? 'Demo shop';

  const sessionOf = (req: IncomingMessage, res: ServerResponse): ShopSession => {
    const id = /(?:^|;\s*)shop=([a-f0-9]{32})/.exec(req.headers.cookie ?? '')?.[1];
    const found = id ? sessions.get(id) : undefined;
    if (found) {
      return found;
    }
    const fresh = randomBytes(16).toString('hex');
    const session: ShopSession = {};
    sessions.set(fresh, session);
    res.setHeader('set-cookie', `shop=${fresh}; HttpOnly; SameSite=Lax; Path=/`);
    return session;
  };

  const routes: Record<string, (s: ShopSession, body: Record<string, unknown>) => Promise<unknown>> = {
    'GET /api/me': (s) => Promise.resolve({ identifier: s.identifier ?? null, catalog }),
    'POST /api/sign-in': async (s, body) => {
      const identifier = typeof body.identifier === 'string' ? body.identifier.trim() : '';
      if (!identifier) {
        throw new ShopProblem(400, 'IDENTIFIER_REQUIRED', 'Type your identifier.');
      }
      const v = await outband.verifications.start({ identifier });
      s.signIn = { verificationId: v.id, identifier };
      return { verificationId: v.id, to: v.to };
    },
    'POST /api/sign-in/check': async (s, body) => {
      if (!s.signIn) {
        throw new ShopProblem(409, 'NO_SIGN_IN', 'Start signing in first.');
      }
      const answer = await outband.verifications.check(s.signIn.verificationId, { code: codeOf(body) });
      if (answer.status === 'approved') {
        s.identifier = s.signIn.identifier;
        s.signIn = undefined;
      }
      return { status: answer.status, cause: answer.cause?.detail, identifier: s.identifier ?? null };
    },
    'POST /api/sign-out': (s) => {
      s.identifier = undefined;
      s.payment = undefined;
      return Promise.resolve({ identifier: null });
    },
    'POST /api/pay': async (s, body) => {
      if (!s.identifier) {
        throw new ShopProblem(401, 'SIGN_IN_REQUIRED', 'Sign in first.');
      }
      const priced = priceCart(body.cart);
      if (!priced) {
        throw new ShopProblem(400, 'INVALID_CART', 'The basket is empty or holds something we do not sell.');
      }
      const transaction = { amount: priced.amount, currency: 'EUR', payee, items: priced.items };
      const payment = await outband.payments.start({ source: { kind: 'contract', identifier: s.identifier }, transaction });
      if (payment.verificationId) {
        s.payment = { id: payment.id, verificationId: payment.verificationId, transaction };
      }
      return paymentAnswer(payment);
    },
    'POST /api/pay/check': async (s, body) => {
      if (!s.payment) {
        throw new ShopProblem(409, 'NO_PAYMENT', 'No payment waits for a code.');
      }
      const answer = await outband.verifications.check(s.payment.verificationId, {
        code: codeOf(body),
        transaction: s.payment.transaction,
      });
      const payment = answer.payment ?? (await outband.payments.get(s.payment.id));
      if (answer.status !== 'pending') {
        s.payment = undefined;
      }
      return { status: answer.status, cause: answer.cause?.detail, ...paymentAnswer(payment) };
    },
  };

  const server = createServer((req, res) => {
    const route = `${req.method ?? 'GET'} ${new URL(req.url ?? '/', 'http://shop').pathname}`;
    if (route === 'GET /') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
      res.end(shopPage({ phoneUrl: o.phoneUrl }));
      return;
    }
    const handler = routes[route];
    if (!handler) {
      sendProblem(res, 404, 'NOT_FOUND', 'No such page.');
      return;
    }
    const session = sessionOf(req, res);
    readJson(req, 4096)
      .then((body) => handler(session, (body ?? {}) as Record<string, unknown>))
      .then((answer) => sendJson(res, 200, answer))
      .catch((e: unknown) => {
        if (e instanceof ShopProblem) {
          sendProblem(res, e.status, e.code, e.message);
        } else if (e instanceof OutbandError) {
          // Outband's refusals are the customer's to read; its outages are ours (502).
          sendProblem(res, e.status >= 500 ? 502 : e.status, e.code, e.problem.detail ?? e.message);
        } else if (e instanceof SyntaxError) {
          sendProblem(res, 400, 'INVALID_JSON', 'The request is not JSON.');
        } else {
          o.logger.error({ err: e }, 'demo shop request failed');
          sendProblem(res, 502, 'OUTBAND_UNREACHABLE', 'Outband did not answer; try again.');
        }
      });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://${o.host ?? '127.0.0.1'}:${port}`,
    stop: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
}

function codeOf(body: Record<string, unknown>): string {
  const code = typeof body.code === 'string' ? body.code.replace(/\s/g, '') : '';
  if (!code) {
    throw new ShopProblem(400, 'CODE_REQUIRED', 'Type the code you received.');
  }
  return code;
}

function paymentAnswer(p: PaymentView): {
  payment: Pick<PaymentView, 'id' | 'state' | 'securing' | 'amount' | 'currency' | 'to' | 'cause'>;
} {
  return { payment: { id: p.id, state: p.state, securing: p.securing, amount: p.amount, currency: p.currency, to: p.to, cause: p.cause } };
}

function sendProblem(res: ServerResponse, status: number, code: string, detail: string): void {
  res.writeHead(status, { 'content-type': 'application/problem+json' });
  res.end(JSON.stringify({ status, code, title: code.toLowerCase().replace(/_/g, ' '), detail }));
}
