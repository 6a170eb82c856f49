import { Router, type Request } from 'express';
import { AppError } from '@outband/errors';
import { merchantApi, verificationId, type CheckResult } from '@outband/contracts';
import type { DataClient } from '../rpc/data-client';
import { merchantOf } from '../http/request-context';
import { validate } from '../http/validate';

const { verificationStart: startBody, verificationCheck: checkBody, verificationResend: resendBody } = merchantApi;

/** `/v1/verifications`: start, resend, check, read and cancel a verification. */
export function verificationRouter(data: DataClient): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const body = validate(startBody, req.body);
    const view = await data.startVerification({ merchantId: merchantOf(req), ...body }, req.correlationId, req.requestId);
    res.status(201).location(`/v1/verifications/${view.id}`).json(view);
  });

  router.get('/:id', async (req, res) => {
    res.json(await data.getVerification(merchantOf(req), idOf(req), req.correlationId));
  });

  router.post('/:id/check', async (req, res) => {
    const body = validate(checkBody, req.body);
    const result = await data.checkVerification(
      merchantOf(req),
      idOf(req),
      body.code,
      { transaction: body.transaction, message: body.message },
      req.correlationId,
    );
    res.json(checkAnswer(result));
  });

  router.post('/:id/resend', async (req, res) => {
    const body = validate(resendBody, req.body ?? {});
    res.json(await data.resendVerification({ merchantId: merchantOf(req), verificationId: idOf(req), ...body }, req.correlationId));
  });

  router.post('/:id/cancel', async (req, res) => {
    res.json(await data.cancelVerification(merchantOf(req), idOf(req), req.correlationId));
  });

  return router;
}

/** A wrong code is an answer, not an error: the verification stays pending with fewer attempts. */
function checkAnswer(r: CheckResult) {
  const v = r.verification;
  switch (r.outcome) {
    case 'approved':
      return r.payment ? { ...v, payment: r.payment } : v;
    case 'mismatch': {
      const left = `${v.attemptsLeft} attempt${v.attemptsLeft === 1 ? '' : 's'} left`;
      switch (r.mismatch) {
        case 'transaction':
          return {
            ...v,
            cause: { code: 'TRANSACTION_MISMATCH', detail: `the transaction differs from the one the code approves, ${left}` },
          };
        case 'message':
          return { ...v, cause: { code: 'MESSAGE_MISMATCH', detail: `the message differs from the one the code certifies, ${left}` } };
        case 'code':
        case undefined:
          return { ...v, cause: { code: 'CODE_MISMATCH', detail: `wrong code, ${left}` } };
      }
      break;
    }
    case 'burned':
      return {
        ...v,
        cause: { code: 'TOO_MANY_ATTEMPTS', detail: 'wrong code, no attempts left: start a new verification' },
        ...(r.payment ? { payment: r.payment } : {}),
      };
  }
}

// A malformed id cannot name any verification: it reads as not found, like another merchant's.
function idOf(req: Request): string {
  const parsed = verificationId.safeParse(req.params.id);
  if (!parsed.success) {
    throw new AppError('not_found', 'VERIFICATION_NOT_FOUND', 'no such verification');
  }
  return parsed.data;
}

/** The request bodies this router validates, for the OpenAPI document. */
export const verificationBodies = { start: startBody, check: checkBody, resend: resendBody };
