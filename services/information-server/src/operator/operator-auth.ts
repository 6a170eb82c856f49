import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { AppError } from '@outband/errors';
import type { AuthFailureLimit } from './auth-failure-limiter';

declare global {
  // eslint-disable-next-line @typescript-eslint/no-namespace
  namespace Express {
    interface Request {
      /** The operator a request to `/admin/v1` or `/ops` was authenticated as. */
      operator?: string;
    }
  }
}

/**
 * Operator tokens: `name:token,…`, separate from merchant credentials; compared as hashes, in
 * constant time. With `failures`, every attempt that carries credentials is counted per client
 * address before they are compared, and one over the limit is refused (429) uncompared, so
 * guessing cannot go on, right or wrong, however many guesses are sent at once.
 */
export function operatorAuth(
  tokens: ReadonlyArray<{ name: string; token: string }>,
  o: { basic?: boolean; failures?: AuthFailureLimit } = {},
): RequestHandler {
  const hashes = tokens.map((t) => ({ name: t.name, hash: sha256(t.token) }));
  return async (req, res, next) => {
    const header = req.header('authorization') ?? '';
    const source = req.ip ?? req.socket.remoteAddress ?? 'unknown';
    // No credentials is a browser asking for the login box, not a guess: it is not counted.
    const counted = o.failures !== undefined && header !== '';
    const wait = o.failures ? await (counted ? o.failures.attempt(source) : o.failures.blockedFor(source)) : undefined;
    if (wait !== undefined) {
      throw new AppError('rate_limited', 'OPERATOR_AUTH_RATE_LIMITED', 'too many failed operator logins from this address: wait', {
        details: { retryAfterSeconds: wait },
      });
    }
    let presented = /^Bearer (\S+)$/.exec(header)?.[1];
    let claimed: string | undefined;
    if (o.basic && header.startsWith('Basic ')) {
      // A browser's login box: the operator's name, and the token as the password.
      const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8');
      claimed = decoded.slice(0, Math.max(0, decoded.indexOf(':')));
      presented = decoded.slice(decoded.indexOf(':') + 1) || undefined;
    }
    const hash = presented ? sha256(presented) : undefined;
    // Every token is compared, whatever matched: the time does not tell which one is close.
    let found: string | undefined;
    for (const t of hashes) {
      if (hash && timingSafeEqual(hash, t.hash)) {
        found = t.name;
      }
    }
    if (!found || (claimed !== undefined && claimed !== found)) {
      if (counted) {
        await o.failures?.failed(source);
      }
      if (o.basic) {
        res.setHeader('WWW-Authenticate', 'Basic realm="Outband ops", charset="UTF-8"');
      }
      throw new AppError('unauthorized', 'OPERATOR_AUTH_INVALID', 'send an operator token as "Authorization: Bearer <token>"');
    }
    if (counted) {
      await o.failures?.succeeded(source);
    }
    req.operator = found;
    next();
  };
}

function sha256(s: string): Buffer {
  return createHash('sha256').update(s).digest();
}
