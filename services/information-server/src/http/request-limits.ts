import type { Request, RequestHandler } from 'express';
import { AppError } from '@outband/errors';
import type { Logger } from '@outband/observability';
import type { RateDecision } from '@outband/redis-limits';

export interface RequestLimit {
  name: string;
  limit: number;
  windowMs: number;
  /** What the limit counts by (client IP, merchant); undefined: not counted. */
  keyOf: (req: Request) => string | undefined;
  /** Observes each refused request (metrics). */
  onRefused?: () => void;
}

/**
 * Answers 429 `RATE_LIMITED` with `Retry-After` beyond the limit. If Redis cannot answer, the
 * request goes on (logged): a limiter outage must not take the API down with it.
 */
export function limitRequests(
  hit: (name: string, key: string, limit: number, windowMs: number, now: Date) => Promise<RateDecision>,
  l: RequestLimit,
  logger: Logger,
): RequestHandler {
  return async (req, _res, next) => {
    const key = l.keyOf(req);
    if (key !== undefined) {
      let decision: RateDecision | undefined;
      try {
        decision = await hit(l.name, key, l.limit, l.windowMs, new Date());
      } catch (err) {
        logger.warn({ err, limit: l.name }, 'request limit not checked: Redis did not answer');
      }
      if (decision && !decision.allowed) {
        l.onRefused?.();
        throw new AppError('rate_limited', 'RATE_LIMITED', `too many requests (${l.name}): slow down`, {
          details: { retryAfterSeconds: decision.retryAfterSeconds },
        });
      }
    }
    next();
  };
}
