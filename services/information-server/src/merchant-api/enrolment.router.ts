import { Router, type Request } from 'express';
import { AppError } from '@outband/errors';
import { enrolmentId, merchantApi } from '@outband/contracts';
import type { DataClient } from '../rpc/data-client';
import { merchantOf } from '../http/request-context';
import { validate } from '../http/validate';

const startBody = merchantApi.enrolmentStart;
const confirmBody = merchantApi.enrolmentConfirm;

/** `/v1/enrolments`: a number proven by a code its holder types back, then certified for an identifier. */
export function enrolmentRouter(data: DataClient): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const body = validate(startBody, req.body);
    const view = await data.startEnrolment({ merchantId: merchantOf(req), ...body }, req.correlationId);
    res.status(201).location(`/v1/enrolments/${view.id}`).json(view);
  });

  router.get('/:id', async (req, res) => {
    res.json(await data.enrolmentAction({ merchantId: merchantOf(req), enrolmentId: idOf(req), action: 'get' }, req.correlationId));
  });

  router.post('/:id/confirm', async (req, res) => {
    const { code } = validate(confirmBody, req.body);
    res.json(
      await data.enrolmentAction({ merchantId: merchantOf(req), enrolmentId: idOf(req), action: 'confirm', code }, req.correlationId),
    );
  });

  return router;
}

function idOf(req: Request): string {
  const parsed = enrolmentId.safeParse(req.params.id);
  if (!parsed.success) {
    throw new AppError('not_found', 'ENROLMENT_NOT_FOUND', 'no such enrolment');
  }
  return parsed.data;
}

/** The request bodies this router validates, for the OpenAPI document. */
export const enrolmentBodies = { start: startBody, confirm: confirmBody };
