import { createHmac, timingSafeEqual } from 'node:crypto';
import type { WebhookEvent as AnyWebhookEvent } from '@outband/contracts';
import { OutbandError } from './errors';

/**
 * What a webhook delivery carries: narrowing on `type` gives that event's `data`.
 * `WebhookEvent<'payment.captured'>` (or `` WebhookEvent<`payment.${string}`> ``) is a part of the union.
 */
export type WebhookEvent<Type extends string = AnyWebhookEvent['type']> = Extract<AnyWebhookEvent, { type: Type }>;

/** A delivery with a `data` shape of the caller's own choosing (`verifyWebhook<T>`), untyped `type`. */
export interface WebhookEnvelope<T = Record<string, unknown>> {
  id: string;
  type: string;
  createdAt: string;
  data: T;
}

export interface VerifyWebhookOptions {
  /** Refuse deliveries signed longer ago than this (replays); default 300 s. */
  toleranceSeconds?: number;
  now?: Date;
}

/**
 * Checks an `Outband-Signature: t=<unix>,v1=<hex>` header against the raw body under one or
 * more endpoint secrets (during a rotation, pass the new and the old one), in constant time,
 * then parses the event. Throws `OutbandError` with code `WEBHOOK_SIGNATURE_INVALID` or
 * `WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE`. Pass the body exactly as received, before any parsing.
 */
export function verifyWebhook(
  rawBody: string | Buffer,
  signatureHeader: string | undefined,
  secrets: string | string[],
  options?: VerifyWebhookOptions,
): WebhookEvent;
/** As above, the body read as a `data` shape of your own. */
export function verifyWebhook<T>(
  rawBody: string | Buffer,
  signatureHeader: string | undefined,
  secrets: string | string[],
  options?: VerifyWebhookOptions,
): WebhookEnvelope<T>;
export function verifyWebhook(
  rawBody: string | Buffer,
  signatureHeader: string | undefined,
  secrets: string | string[],
  options: VerifyWebhookOptions = {},
): WebhookEvent | WebhookEnvelope {
  const parts = new Map<string, string[]>();
  for (const item of (signatureHeader ?? '').split(',')) {
    const [k, v] = item.trim().split('=', 2);
    if (k && v) {
      parts.set(k, [...(parts.get(k) ?? []), v]);
    }
  }
  const t = Number(parts.get('t')?.[0]);
  const signatures = parts.get('v1') ?? [];
  if (!Number.isSafeInteger(t) || signatures.length === 0) {
    throw refused('WEBHOOK_SIGNATURE_INVALID', 'the Outband-Signature header is missing or malformed');
  }
  const now = Math.floor((options.now ?? new Date()).getTime() / 1000);
  if (Math.abs(now - t) > (options.toleranceSeconds ?? 300)) {
    throw refused('WEBHOOK_TIMESTAMP_OUT_OF_TOLERANCE', 'the delivery was signed too long ago (or in the future)');
  }
  const body = typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8');
  const matches = (Array.isArray(secrets) ? secrets : [secrets]).some((secret) => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest();
    return signatures.some((s) => {
      const given = Buffer.from(s, 'hex');
      return given.length === expected.length && timingSafeEqual(given, expected);
    });
  });
  if (!matches) {
    throw refused('WEBHOOK_SIGNATURE_INVALID', 'no secret of this endpoint signed this body');
  }
  // Not checked against the event schemas: an SDK older than an event type still hands it over.
  return JSON.parse(body) as WebhookEvent;
}

function refused(code: string, detail: string): OutbandError {
  return new OutbandError({ status: 400, code, detail });
}
