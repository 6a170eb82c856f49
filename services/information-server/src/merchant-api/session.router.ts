import { Router, type Request } from 'express';
import { AppError } from '@outband/errors';
import { merchantApi, sessionId } from '@outband/contracts';
import type { DataClient } from '../rpc/data-client';
import { merchantOf } from '../http/request-context';
import { validate } from '../http/validate';

const openBody = merchantApi.sessionOpen;

/** `/v1/sessions`: the merchant's first-network session (login, checkout) that codes can live in. */
export function sessionRouter(data: DataClient): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const body = validate(openBody, req.body);
    const view = await data.openSession(merchantOf(req), body.identifier, req.correlationId);
    res.status(201).location(`/v1/sessions/${view.id}`).json(view);
  });

  router.get('/:id', async (req, res) => {
    res.json(await data.sessionAction(merchantOf(req), idOf(req), 'get', req.correlationId));
  });

  router.post('/:id/heartbeat', async (req, res) => {
    res.json(await data.sessionAction(merchantOf(req), idOf(req), 'heartbeat', req.correlationId));
  });

  router.delete('/:id', async (req, res) => {
    res.json(await data.sessionAction(merchantOf(req), idOf(req), 'end', req.correlationId));
  });

  return router;
}

function idOf(req: Request): string {
  const parsed = sessionId.safeParse(req.params.id);
  if (!parsed.success) {
    throw new AppError('not_found', 'SESSION_NOT_FOUND', 'no such session');
  }
  return parsed.data;
}

/** The request bodies this router validates, for the OpenAPI document. */
export const sessionBodies = { open: openBody };
