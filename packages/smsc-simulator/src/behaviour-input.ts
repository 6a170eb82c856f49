import { z } from 'zod';
import type { SmscBehaviour } from './behaviour';

// A destination or its beginning, as E.164 digits; the leading + is added when missing, as the
// simulator writes destinations.
const digits = z
  .string()
  .regex(/^\+?[0-9]{1,15}$/, 'must be E.164 digits, with or without +')
  .transform((v) => `+${v.replace(/^\+/, '')}`);
const status = z.number().int().min(0).max(0xffffffff);
const delay = z.number().int().min(0).max(600_000);

const errorRule = z.union([z.strictObject({ prefix: digits, status }), z.strictObject({ address: digits, status })]);

/** What `PUT /behaviour` accepts: every field bounded, no field a pattern. */
export const behaviourInput = z.strictObject({
  receiptDelayMs: delay.optional(),
  receiptJitterMs: delay.optional(),
  receiptOutcomes: z
    .partialRecord(z.enum(['DELIVRD', 'EXPIRED', 'DELETED', 'UNDELIV', 'REJECTD', 'UNKNOWN']), z.number().min(0).max(1_000_000))
    .optional(),
  responseDelayMs: delay.optional(),
  maxSubmitsPerSecond: z.number().int().min(0).max(1_000_000).optional(),
  window: z.number().int().min(0).max(100_000).optional(),
  errorRules: z.array(errorRule).max(100).optional(),
  silentSubmits: z.number().int().min(0).max(1_000_000).optional(),
  refuseBindsUntil: z.number().int().min(0).optional(),
  messageIds: z.enum(['hex', 'decimal', 'empty']).optional(),
  receiptIds: z.enum(['same', 'decimal']).optional(),
  receiptBinds: z.enum(['first', 'submitter', 'other', 'round-robin']).optional(),
  receiptRetryMs: delay.optional(),
});

/** The changes a `PUT /behaviour` body asks for; throws a readable Error on anything else. */
export function parseBehaviour(body: unknown): Partial<SmscBehaviour> {
  const parsed = behaviourInput.safeParse(body);
  if (!parsed.success) {
    throw new Error(parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; '));
  }
  // Drop the keys that were not sent: `configure` merges what it is given.
  return Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined));
}
