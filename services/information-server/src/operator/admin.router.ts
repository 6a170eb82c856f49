import { Router, type Request } from 'express';
import { z } from 'zod';
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
import { validate } from '../http/validate';
import type { DataClient } from '../rpc/data-client';

const twilioCredentialsBody = z.strictObject({ kind: z.enum(['auth_token', 'api_key']).default('auth_token') });

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
