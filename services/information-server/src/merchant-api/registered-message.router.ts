import express, { Router, type Request, type RequestHandler } from 'express';
import { AppError } from '@outband/errors';
import { merchantApi, registeredMessageId } from '@outband/contracts';
import type { DataClient } from '../rpc/data-client';
import { merchantOf } from '../http/request-context';
import { validate } from '../http/validate';

const { registeredSend: sendBody, registeredCode: codeBody } = merchantApi;

/**
 * `/v1/registered-messages`: deposit (the sender confirms with a code), retrieve and open (the
 * addressee reads with a code). It parses its own bodies: an attachment is larger than a call.
 */
export function registeredMessageRouter(data: DataClient, bodyLimitBytes: number, after: RequestHandler[] = []): Router {
  const router = Router();
  router.use(express.json({ limit: bodyLimitBytes, strict: true, type: 'application/json' }), ...after);

  router.post('/', async (req, res) => {
    const body = validate(sendBody, req.body);
    const view = await data.sendRegistered({ merchantId: merchantOf(req), ...body }, req.correlationId);
    res.status(201).location(`/v1/registered-messages/${view.id}`).json(view);
  });

  router.get('/:id', async (req, res) => {
    res.json(await data.registeredAction(merchantOf(req), idOf(req), 'get', undefined, req.correlationId));
  });

  router.post('/:id/confirm', async (req, res) => {
    const { code } = validate(codeBody, req.body);
    res.json(await data.registeredAction(merchantOf(req), idOf(req), 'confirm', code, req.correlationId));
  });

  router.post('/:id/retrieve', async (req, res) => {
    res.json(await data.registeredAction(merchantOf(req), idOf(req), 'retrieve', undefined, req.correlationId));
  });

  router.post('/:id/open', async (req, res) => {
    const { code } = validate(codeBody, req.body);
    res.json(await data.registeredAction(merchantOf(req), idOf(req), 'open', code, req.correlationId));
  });

  return router;
}

function idOf(req: Request): string {
  const parsed = registeredMessageId.safeParse(req.params.id);
  if (!parsed.success) {
    throw new AppError('not_found', 'REGISTERED_MESSAGE_NOT_FOUND', 'no such registered message');
  }
  return parsed.data;
}

/** The request bodies this router validates, for the OpenAPI document. */
export const registeredBodies = { send: sendBody, code: codeBody };
