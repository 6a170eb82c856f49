import { randomUUID } from 'node:crypto';
import type { Request, RequestHandler } from 'express';
import { AppError } from '@outband/errors';
import type { MerchantAuthenticator } from '../auth/merchant-auth';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** Follows this request through the bus to the SMPP submit and back. */
      correlationId?: string;
      merchantId?: string;
      /**
       * Under an `Idempotency-Key`: the same id for every retry of the request, so the data server
       * finds what an earlier try started (a try whose server died) instead of starting it twice.
       */
      requestId?: string;
    }
  }
}

/** Takes a caller's `X-Correlation-Id` when it is sane, or makes one; echoes it back. */
export const correlation: RequestHandler = (req, res, next) => {
  const given = req.header('x-correlation-id');
  req.correlationId = given && /^[A-Za-z0-9._:-]{8,64}$/.test(given) ? given : randomUUID();
  res.setHeader('X-Correlation-Id', req.correlationId);
  next();
};

export function authenticate(auth: MerchantAuthenticator): RequestHandler {
  return async (req, _res, next) => {
    req.merchantId = await auth.authenticate(req.header('authorization'));
    next();
  };
}

/** The authenticated merchant of a request (set by `authenticate`). */
export function merchantOf(req: Request): string {
  if (!req.merchantId) {
    throw new AppError('unauthorized', 'AUTH_MISSING', 'not authenticated');
  }
  return req.merchantId;
}
