import { Router, type Request } from 'express';
import { z } from 'zod';
import { AppError } from '@outband/errors';
import {
  certifiedMessage,
  channel,
  identifier,
  locale,
  purpose,
  sessionId,
  transactionData,
  verificationId,
  type CheckResult,
} from '@outband/contracts';
import type { DataClient } from '../adapters/data-client';
import { merchantOf } from './request-context';
import { validate } from './validate';

const startBody = z
  .strictObject({
    identifier,
    purpose: purpose.default('login'),
    locale: locale.optional(),
    /** Required for purpose `transaction`: what the code approves (amount in minor units). */
    transaction: transactionData.optional(),
    /** Required for purpose `message`: the order or declaration the code certifies. */
    message: certifiedMessage.optional(),
    /** The first-network session the code lives in: it dies when the session ends. */
    sessionId: sessionId.optional(),
    /** `reverse-sms`: the answer carries a code to show and a number the user texts it to. */
    channel: channel.optional(),
  })
  .refine((b) => (b.purpose === 'transaction') === (b.transaction !== undefined), {
    path: ['transaction'],
    message: 'required for purpose "transaction", and only for it',
  })
  .refine((b) => (b.purpose === 'message') === (b.message !== undefined), {
    path: ['message'],
    message: 'required for purpose "message", and only for it',
  });

const checkBody = z.strictObject({
  code: z.string().regex(/^\d{4,10}$/, 'must be the 4 to 10 digits received'),
  /** For a transaction: the data as the merchant presents it now. */
  transaction: transactionData.optional(),
  /** For a certified message: the text as presented now. */
  message: certifiedMessage.optional(),
});

const resendBody = z.strictObject({
  locale: locale.optional(),
  /** For a transaction or a certified message: the same data as at the start. */
  transaction: transactionData.optional(),
  message: certifiedMessage.optional(),
});

/** `/v1/verifications`: start, resend, check, read and cancel a verification. */
export function verificationRouter(data: DataClient): Router {
  const router = Router();

  router.post('/', async (req, res) => {
    const body = validate(startBody, req.body);
    const view = await data.startVerification({ merchantId: merchantOf(req), ...body }, req.correlationId);
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
