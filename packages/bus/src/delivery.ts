import type { ConsumeMessage } from 'amqplib';
import type { z } from 'zod';
import { describeIssues } from '@outband/contracts';
import { AppError, isAppError, type SerializedError } from '@outband/errors';
import type { ConsumeOptions } from './bus-options';

/** What a handler learns about the delivery besides the message itself. */
export interface DeliveryContext {
  /** The id that follows one request through every hop (HTTP → bus → SMPP and back). */
  correlationId: string | undefined;
  messageId: string | undefined;
  /** 0 on first delivery, then 1, 2 … for each delayed retry. */
  attempt: number;
  /** True when the broker delivered this message before (a consumer died before acking). */
  redelivered: boolean;
  /** True when the sender may have sent this request before under the same message id (a retry). */
  repeatable?: boolean;
}

export const headers = {
  correlation: 'x-correlation-id',
  attempt: 'x-outband-attempt',
  deadReason: 'x-outband-dead-reason',
  deadFrom: 'x-outband-dead-from',
  repeatable: 'x-outband-repeatable',
} as const;

export type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Parses and validates one delivery; a failure carries the reason written to the dead-letter queue. */
export function parseDelivery<S extends z.ZodType>(msg: ConsumeMessage, schema: S): Parsed<z.infer<S>> {
  return parseBody(msg.content.toString('utf8'), schema);
}

/** Parses and validates a message body (JSON text), whichever bus carried it. */
export function parseBody<S extends z.ZodType>(text: string, schema: S): Parsed<z.infer<S>> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return { ok: false, reason: 'invalid message: body is not JSON' };
  }
  const result = schema.safeParse(json);
  if (!result.success) {
    return { ok: false, reason: `invalid message: ${describeIssues(result.error)}`.slice(0, 1000) };
  }
  return { ok: true, value: result.data };
}

export function contextOf(msg: ConsumeMessage): DeliveryContext {
  const h = (msg.properties.headers ?? {}) as Record<string, unknown>;
  const correlation = h[headers.correlation];
  const attempt = Number(h[headers.attempt] ?? 0);
  return {
    correlationId: typeof correlation === 'string' ? correlation : undefined,
    messageId: typeof msg.properties.messageId === 'string' ? msg.properties.messageId : undefined,
    attempt: Number.isInteger(attempt) && attempt >= 0 ? attempt : 0,
    redelivered: msg.fields.redelivered,
    repeatable: h[headers.repeatable] === 1,
  };
}

/** Delay before retry number `attempt` (0-based): exponential from `baseMs`, capped. */
export function retryDelayMs(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** attempt);
}

/** What becomes of a work message whose handler threw: dead-lettered with a reason, or retried later. */
export function failurePlan(err: unknown, attempt: number, o: Required<ConsumeOptions>): { deadReason: string } | { retryInMs: number } {
  const permanent = isAppError(err) && !err.retryable;
  if (permanent || attempt >= o.maxRetries) {
    return { deadReason: `${permanent ? 'permanent error' : `gave up after ${attempt} retries`}: ${(err as Error).message}` };
  }
  return { retryInMs: retryDelayMs(attempt, o.retryBaseMs, o.retryMaxMs) };
}

/** The reply to a request whose handler threw: its AppError, or INTERNAL for anything unexpected. */
export function rpcFailure(err: unknown): SerializedError {
  return (isAppError(err) ? err : new AppError('internal', 'INTERNAL', 'internal error', { retryable: true })).toJSON();
}
