import { Router } from 'express';
import { z } from 'zod';
import type { DataClient } from '../rpc/data-client';
import { validate } from '../http/validate';

/** The operator's authorization response (OIDC): a code, or an error, with the state it was given. */
const callbackQuery = z.object({
  state: z.string().min(1).max(256),
  code: z.string().min(1).max(2048).optional(),
  error: z.string().max(128).optional(),
  error_description: z.string().max(1024).optional(),
});

/**
 * `GET /silent/callback`: where the operator's network sends the device's browser back from a
 * silent verification. No merchant token: the browser brings only the state, which stands for
 * one verification once; the answer sends it on to the merchant's return URL.
 */
export function silentCallbackRouter(data: DataClient): Router {
  const router = Router();
  router.get('/callback', async (req, res) => {
    const q = validate(callbackQuery, req.query);
    const next = await data.completeSilent(
      { state: q.state, ...(q.code ? { code: q.code } : {}), ...(q.error ? { error: q.error } : {}) },
      req.correlationId,
    );
    res.setHeader('cache-control', 'no-store');
    res.redirect(303, next.redirect);
  });
  return router;
}
