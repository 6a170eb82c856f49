import { Router, type Request } from 'express';
import { AppError } from '@outband/errors';
import { factorId, identifier, merchantApi } from '@outband/contracts';
import type { DataClient } from '../rpc/data-client';
import { merchantOf } from '../http/request-context';
import { validate } from '../http/validate';

const createBody = merchantApi.factorCreate;
const confirmBody = merchantApi.factorConfirm;

/**
 * `/v1/factors`: authenticators a person enrols (a TOTP app), confirmed by a first code, then
 * checking logins with channel `totp`. The secret is answered once, at creation.
 */
export function factorRouter(data: DataClient): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const { identifier: who, type, label } = validate(createBody, req.body);
    const view = await data.createFactor(
      { merchantId: merchantOf(req), identifier: who, factorType: type, ...(label ? { label } : {}) },
      req.correlationId,
    );
    // The secret is in this answer alone: no cache may keep it.
    res.status(201).location(`/v1/factors/${view.id}`).set('Cache-Control', 'no-store').json(view);
  });

  router.get('/', async (req, res) => {
    const parsed = identifier.safeParse(req.query.identifier);
    if (!parsed.success) {
      throw new AppError('invalid_input', 'INVALID_INPUT', 'the query needs the identifier whose factors to list', {
        fieldErrors: [{ field: 'identifier', message: 'required: the identifier whose factors to list' }],
      });
    }
    res.json(await data.listFactors({ merchantId: merchantOf(req), identifier: parsed.data }, req.correlationId));
  });

  router.get('/:id', async (req, res) => {
    res.json(await data.factorAction({ merchantId: merchantOf(req), factorId: idOf(req), action: 'get' }, req.correlationId));
  });

  router.delete('/:id', async (req, res) => {
    res.json(await data.factorAction({ merchantId: merchantOf(req), factorId: idOf(req), action: 'delete' }, req.correlationId));
  });

  router.post('/:id/confirm', async (req, res) => {
    const { code } = validate(confirmBody, req.body);
    res.json(await data.factorAction({ merchantId: merchantOf(req), factorId: idOf(req), action: 'confirm', code }, req.correlationId));
  });

  return router;
}

function idOf(req: Request): string {
  const parsed = factorId.safeParse(req.params.id);
  if (!parsed.success) {
    throw new AppError('not_found', 'FACTOR_NOT_FOUND', 'no such factor');
  }
  return parsed.data;
}

/** The request bodies this router validates, for the OpenAPI document. */
export const factorBodies = { create: createBody, confirm: confirmBody };
