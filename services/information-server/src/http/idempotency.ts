import { createHash, hkdfSync, randomBytes } from 'node:crypto';
import { seal, unseal, type SealKey } from '@outband/contracts';
import { LuaScript, type RedisClient } from '@outband/redis-limits';
import type { RequestHandler, Response } from 'express';
import { AppError } from '@outband/errors';

/** The first answer to a POST, kept for replay under its key. */
interface Stored {
  state: 'pending' | 'done';
  /** Hash of method, path and body: the same key with another request is refused. */
  request: string;
  /** The answer (`Answer`), sealed with a key only the `Idempotency-Key` gives (see `answerKey`). */
  answer?: string;
  /** While pending: whose claim it is, so only that request settles it. */
  claim?: string;
}

const settleClaim = LuaScript.fromFile(__dirname, 'settle-claim');

/** What an earlier version kept in clear (its fields sat beside `state`): replayed until it expires. */
type LegacyStored = Stored & Partial<Answer>;

interface Answer {
  status: number;
  body: unknown;
  contentType?: string;
  location?: string;
}

export interface IdempotencyOptions {
  redis: RedisClient;
  prefix: string;
  /** How long a key answers the same (24 h). */
  ttlSeconds: number;
  /** How long a duplicate waits for the first request to finish before it is refused (the RPC timeout). */
  waitMs: number;
  /**
   * How long a key stays taken by a request that has not answered yet. A server killed mid-request
   * never answers: past this its key is free and a retry runs again.
   * @defaultValue twice `waitMs` (waiting for the broker, then for the reply) plus 5 s
   */
  pendingSeconds?: number;
}

/**
 * `Idempotency-Key` on a POST: the first request runs, the same key with the same request
 * within `ttlSeconds` replays its answer (concurrent duplicates wait for it), the same key with
 * another request is refused (422 `IDEMPOTENCY_KEY_REUSED`). Server errors and rate limits are
 * not kept, nor a request whose client went away, so a retry runs again; so does one whose server
 * died mid-request, once `pendingSeconds` have passed. Keys are per merchant.
 */
export function idempotency(o: IdempotencyOptions): RequestHandler {
  return async (req, res, next) => {
    const key = req.header('idempotency-key');
    if (req.method !== 'POST' || key === undefined) {
      next();
      return;
    }
    if (!/^[\x21-\x7e]{1,255}$/.test(key)) {
      throw new AppError('invalid_input', 'IDEMPOTENCY_KEY_INVALID', 'Idempotency-Key must be 1 to 255 visible ASCII characters');
    }
    const pendingSeconds = o.pendingSeconds ?? Math.ceil((2 * o.waitMs) / 1000) + 5;
    const redisKey = `${o.prefix}:idem:{${req.merchantId ?? ''}}:${sha256(key)}`;
    const sealKey = answerKey(key, req.merchantId ?? '');
    const request = sha256(`${req.method} ${req.baseUrl}${req.path}\n${JSON.stringify(req.body ?? null)}`);
    const pending = JSON.stringify({ state: 'pending', request, claim: randomBytes(12).toString('base64url') } satisfies Stored);
    const deadline = Date.now() + o.waitMs;
    for (;;) {
      // Only the answer is kept for a day: a claim lasts as long as a request can run.
      if ((await o.redis.set(redisKey, pending, 'EX', pendingSeconds, 'NX')) === 'OK') {
        // The same for every try of this key and request, and for no other merchant or request.
        req.requestId = `ik_${sha256(`${req.merchantId ?? ''}\n${key}\n${request}`).slice(0, 40)}`;
        keepAnswer(res, o, redisKey, pending, request, sealKey);
        next();
        return;
      }
      const stored = JSON.parse((await o.redis.get(redisKey)) ?? 'null') as LegacyStored | null;
      if (stored && stored.request !== request) {
        throw new AppError('unprocessable', 'IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was used for another request');
      }
      if (stored?.state === 'done') {
        const answer: Answer =
          stored.answer === undefined
            ? { status: stored.status ?? 200, body: stored.body, contentType: stored.contentType, location: stored.location }
            : (JSON.parse(unseal([sealKey], stored.answer, redisKey)) as Answer);
        res.setHeader('Idempotent-Replayed', 'true');
        if (answer.location) {
          res.location(answer.location);
        }
        if (answer.contentType) {
          res.setHeader('content-type', answer.contentType);
        }
        res.status(answer.status).json(answer.body);
        return;
      }
      if (!stored) {
        // The first request failed and let the key go, or its server died and the claim lapsed:
        // this one claims it (one of several waiting duplicates does).
        continue;
      }
      if (Date.now() > deadline) {
        throw new AppError('conflict', 'IDEMPOTENCY_IN_PROGRESS', 'a request with this Idempotency-Key is still running: retry later');
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  };
}

/** Records the answer once it is sent; a server error, a 429 or a lost client releases the key. */
function keepAnswer(res: Response, o: IdempotencyOptions, redisKey: string, claimed: string, request: string, sealKey: SealKey): void {
  const json = res.json.bind(res);
  let body: unknown;
  res.json = (b: unknown) => {
    body = b;
    return json(b);
  };
  res.on('close', () => {
    const location = res.getHeader('location');
    const contentType = res.getHeader('content-type');
    const answer: Answer = {
      status: res.statusCode,
      body,
      ...(typeof location === 'string' ? { location } : {}),
      ...(typeof contentType === 'string' ? { contentType } : {}),
    };
    const keep = res.writableFinished && res.statusCode < 500 && res.statusCode !== 429;
    // Sealed only when kept: an answer let go is not worth encrypting.
    const stored = keep
      ? JSON.stringify({ state: 'done', request, answer: seal([sealKey], JSON.stringify(answer), redisKey) } satisfies Stored)
      : '';
    void settleClaim.run(o.redis, [redisKey], [claimed, stored, o.ttlSeconds]).catch(() => undefined);
  });
}

/**
 * Answers hold secrets (a webhook's signing secret, a reverse-channel code, an opened registered
 * message): Redis keeps them sealed with a key derived from the `Idempotency-Key`, which is stored
 * only as a hash, so only a client that holds the key can read them back.
 */
function answerKey(idempotencyKey: string, merchantId: string): SealKey {
  return { id: 'i1', key: Buffer.from(hkdfSync('sha256', idempotencyKey, merchantId, 'outband-idempotent-answer', 32)) };
}

function sha256(s: string): string {
  return createHash('sha256').update(s).digest('hex');
}
