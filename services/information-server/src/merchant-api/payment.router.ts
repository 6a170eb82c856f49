import { Router, type Request } from 'express';
import { z } from 'zod';
import { AppError } from '@outband/errors';
import { identifier, merchantApi, paymentId, period, type StatementView } from '@outband/contracts';
import type { DataClient } from '../rpc/data-client';
import { merchantOf } from '../http/request-context';
import { validate } from '../http/validate';

const startBody = merchantApi.paymentStart;

/** `/v1/payments`: start a payment and read it; the code is checked on its verification. */
export function paymentRouter(data: DataClient): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const body = validate(startBody, req.body);
    const view = await data.startPayment({ merchantId: merchantOf(req), ...body }, req.correlationId, req.requestId);
    res.status(201).location(`/v1/payments/${view.id}`).json(view);
  });

  router.get('/:id', async (req, res) => {
    const parsed = paymentId.safeParse(req.params.id);
    if (!parsed.success) {
      throw new AppError('not_found', 'PAYMENT_NOT_FOUND', 'no such payment');
    }
    res.json(await data.getPayment(merchantOf(req), parsed.data, req.correlationId));
  });

  return router;
}

const periodQuery = z.object({ period });

/** `/v1/subscribers/:identifier/statement`: a subscriber's billing register with this merchant, by month. */
export function statementRouter(data: DataClient): Router {
  const router = Router();
  router.get('/:identifier/statement', async (req, res) => {
    const who = validate(identifier, req.params.identifier);
    const { period: month } = validate(periodQuery, { period: req.query.period });
    const statement = await data.statement(merchantOf(req), who, month, req.correlationId);
    if (wantsCsv(req)) {
      res.type('text/csv').attachment(`statement-${who}-${month}.csv`).send(statementCsv(statement));
      return;
    }
    res.json(statement);
  });
  return router;
}

/** `/v1/settlements?period=YYYY-MM`: the merchant's settlement (gross, service charge, net). */
export function settlementRouter(data: DataClient): Router {
  const router = Router();
  router.get('/', async (req, res) => {
    const { period: month } = validate(periodQuery, { period: req.query.period });
    res.json(await data.settlement(merchantOf(req), month, req.correlationId));
  });
  return router;
}

function wantsCsv(req: Request): boolean {
  return req.accepts(['application/json', 'text/csv']) === 'text/csv';
}

/** One line per entry; amounts stay integer minor units, as in the JSON. */
export function statementCsv(s: StatementView): string {
  const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
  const lines = [
    'booked_at,kind,amount_minor,currency,payment_id,verification_id',
    ...s.entries.map((e) =>
      [e.bookedAt, e.kind, String(e.amount), e.currency, e.paymentId ?? '', e.verificationId ?? ''].map(quote).join(','),
    ),
  ];
  return `${lines.join('\r\n')}\r\n`;
}

/** The request bodies this router validates, for the OpenAPI document. */
export const paymentBodies = { start: startBody };
