import { Router, type Request } from 'express';
import { AppError } from '@outband/errors';
import { merchantApi, webhookEndpointId } from '@outband/contracts';
import type { DataClient } from '../rpc/data-client';
import { merchantOf } from '../http/request-context';
import { validate } from '../http/validate';

const registerBody = merchantApi.webhookRegister;

/**
 * `/v1/webhooks`: endpoints (the secret is shown once, at creation and rotation), their
 * deliveries, and replay of a delivery.
 */
export function webhookRouter(data: DataClient): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const body = validate(registerBody, req.body);
    const view = await data.registerWebhook({ merchantId: merchantOf(req), ...body }, req.correlationId);
    res.status(201).location(`/v1/webhooks/${view.id}`).json(view);
  });

  router.get('/', async (req, res) => {
    res.json(await data.webhookAction({ merchantId: merchantOf(req), action: 'list' }, req.correlationId));
  });

  router.delete('/:id', async (req, res) => {
    res.json(await data.webhookAction({ merchantId: merchantOf(req), action: 'remove', endpointId: idOf(req) }, req.correlationId));
  });

  router.post('/:id/rotate', async (req, res) => {
    res.json(await data.webhookAction({ merchantId: merchantOf(req), action: 'rotate', endpointId: idOf(req) }, req.correlationId));
  });

  router.get('/:id/deliveries', async (req, res) => {
    res.json(await data.webhookAction({ merchantId: merchantOf(req), action: 'deliveries', endpointId: idOf(req) }, req.correlationId));
  });

  router.post('/deliveries/:deliveryId/replay', async (req, res) => {
    const deliveryId = Number(req.params.deliveryId);
    if (!Number.isSafeInteger(deliveryId) || deliveryId < 1) {
      throw new AppError('not_found', 'WEBHOOK_DELIVERY_NOT_FOUND', 'no such delivery');
    }
    res.json(await data.webhookAction({ merchantId: merchantOf(req), action: 'replay', deliveryId }, req.correlationId));
  });

  return router;
}

function idOf(req: Request): string {
  const parsed = webhookEndpointId.safeParse(req.params.id);
  if (!parsed.success) {
    throw new AppError('not_found', 'WEBHOOK_NOT_FOUND', 'no such webhook endpoint');
  }
  return parsed.data;
}

/** The request bodies this router validates, for the OpenAPI document. */
export const webhookBodies = { register: registerBody };
