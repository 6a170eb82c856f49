import { createHash, timingSafeEqual } from 'node:crypto';
import { Router, type Request, type RequestHandler } from 'express';
import { z } from 'zod';
import { AppError } from '@outband/errors';
import {
  e164,
  identifier,
  merchantId,
  merchantKeyId,
  merchantKeyInput,
  merchantPolicyInput,
  receiverKind,
  type AdminActionV1,
} from '@outband/contracts';
import type { DataClient } from '../adapters/data-client';
import type { AuthFailureLimit } from './auth-failure-limiter';
import { validate } from './validate';

const twilioCredentialsBody = z.strictObject({ kind: z.enum(['auth_token', 'api_key']).default('auth_token') });

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The operator an admin request was authenticated as. */
      operator?: string;
    }
  }
}

/**
 * Operator tokens: `name:token,…`, separate from merchant credentials; compared as hashes, in
 * constant time. With `failures`, every attempt that carries credentials is counted per client
 * address before they are compared, and one over the limit is refused (429) uncompared, so
 * guessing cannot go on, right or wrong, however many guesses are sent at once.
 */
export function operatorAuth(
  tokens: ReadonlyArray<{ name: string; token: string }>,
  o: { basic?: boolean; failures?: AuthFailureLimit } = {},
): RequestHandler {
  const hashes = tokens.map((t) => ({ name: t.name, hash: sha256(t.token) }));
  return async (req, res, next) => {
    const header = req.header('authorization') ?? '';
    const source = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    // No credentials is a browser asking for the login box, not a guess: it is not counted.
    const counted = o.failures !== undefined && header !== '';
    const wait = o.failures ? await (counted ? o.failures.attempt(source) : o.failures.blockedFor(source)) : undefined;
    if (wait !== undefined) {
      throw new AppError('rate_limited', 'OPERATOR_AUTH_RATE_LIMITED', 'too many failed operator logins from this address: wait', {
        details: { retryAfterSeconds: wait },
      });
    }
    let presented = /^Bearer (\S+)$/.exec(header)?.[1];
    let claimed: string | undefined;
    if (o.basic && header.startsWith('Basic ')) {
      // A browser's login box: the operator's name, and the token as the password.
      const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
      claimed = decoded.slice(0, Math.max(0, decoded.indexOf(':')));
      presented = decoded.slice(decoded.indexOf(':') + 1) || undefined;
    }
    const hash = presented ? sha256(presented) : undefined;
    // Every token is compared, whatever matched: the time does not tell which one is close.
    let found: string | undefined;
    for (const t of hashes) {
      if (hash && timingSafeEqual(hash, t.hash)) {
        found = t.name;
      }
    }
    if (!found || (claimed !== undefined && claimed !== found)) {
      if (counted) {
        await o.failures?.failed(source);
      }
      if (o.basic) {
        res.setHeader('WWW-Authenticate', 'Basic realm="Outband ops", charset="UTF-8"');
      }
      throw new AppError('unauthorized', 'OPERATOR_AUTH_INVALID', 'send an operator token as "Authorization: Bearer <token>"');
    }
    if (counted) {
      await o.failures?.succeeded(source);
    }
    req.operator = found;
    next();
  };
}

/** An admin action as a route sends it: the operator is added from the token. */
type AdminRequest = AdminActionV1 extends infer A ? (A extends AdminActionV1 ? Omit<A, 'type' | 'version' | 'actor'> : never) : never;

const nameBody = z.strictObject({ name: z.string().min(1).max(200) });
const subscriberBody = z.strictObject({ address: e164, receiverKind: receiverKind.optional(), locale: z.enum(['en', 'fr']).optional() });
const listQuery = z.object({ cursor: merchantId.optional(), limit: z.coerce.number().int().min(1).max(100).default(50) });

/** `/admin/v1`: merchants, their policies, subscribers; every change is audited with the operator. */
export function adminRouter(data: DataClient): Router {
  const router = Router();
  const act = (req: Request, action: AdminRequest) => data.adminAction({ ...action, actor: req.operator ?? '' }, req.correlationId);

  router.get('/merchants', async (req, res) => {
    const q = validate(listQuery, req.query);
    res.json(await act(req, { action: 'merchant.list', limit: q.limit, ...(q.cursor ? { cursor: q.cursor } : {}) }));
  });
  router.put('/merchants/:id', async (req, res) => {
    res.json(
      await act(req, { action: 'merchant.upsert', merchantId: validate(merchantId, req.params.id), ...validate(nameBody, req.body) }),
    );
  });
  for (const [change, status] of [
    ['suspend', 'suspended'],
    ['reopen', 'active'],
  ] as const) {
    router.post(`/merchants/:id/${change}`, async (req, res) => {
      res.json(await act(req, { action: 'merchant.status', merchantId: validate(merchantId, req.params.id), status }));
    });
    router.post(`/subscribers/:identifier/${change}`, async (req, res) => {
      res.json(await act(req, { action: 'subscriber.status', identifier: validate(identifier, req.params.identifier), status }));
    });
  }
  router.put('/merchants/:id/policy', async (req, res) => {
    res.json(
      await act(req, {
        action: 'policy.set',
        merchantId: validate(merchantId, req.params.id),
        policy: validate(merchantPolicyInput, req.body),
      }),
    );
  });
  router.put('/subscribers/:identifier', async (req, res) => {
    res.json(
      await act(req, {
        action: 'subscriber.upsert',
        identifier: validate(identifier, req.params.identifier),
        ...validate(subscriberBody, req.body),
      }),
    );
  });
  // JWT keys: two may be active at once, so a merchant rotates without downtime.
  router.put('/merchants/:id/keys/:kid', async (req, res) => {
    const key = validate(merchantKeyInput, { ...(req.body as object), kid: req.params.kid });
    res.json(await act(req, { action: 'key.put', merchantId: validate(merchantId, req.params.id), key }));
  });
  router.delete('/merchants/:id/keys/:kid', async (req, res) => {
    res.json(
      await act(req, {
        action: 'key.retire',
        merchantId: validate(merchantId, req.params.id),
        kid: validate(merchantKeyId, req.params.kid),
      }),
    );
  });
  // Credentials of the Twilio-compatible surface (`/v2`); the secret is in this answer only.
  router.post('/merchants/:id/twilio-credentials', async (req, res) => {
    const { kind } = validate(twilioCredentialsBody, req.body ?? {});
    res.status(201).json(await act(req, { action: 'twilio.credentials', merchantId: validate(merchantId, req.params.id), kind }));
  });
  return router;
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
