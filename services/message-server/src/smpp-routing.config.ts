import { z } from 'zod';
import { receiverKind } from '@outband/contracts';

/** One SMSC account: where to connect, how to bind, and the limits the operator contracted. */
export const smscConnection = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  /** `smpp://host:port`, or `ssmpp://host:port` for TLS. */
  url: z.string().regex(/^s?smpp:\/\/[^/:]+:\d{1,5}$/, 'must be smpp://host:port or ssmpp://host:port'),
  systemId: z.string().min(1).max(15),
  password: z.string().max(8),
  systemType: z.string().max(12).default(''),
  /** `transceiver`, or `transmitter` with a separate receiver bind for receipts and MO. */
  bindMode: z.enum(['transceiver', 'transmitter']).default('transceiver'),
  /** Parallel binds to this SMSC: the account's binds, shared by the replicas when they share Redis. */
  binds: z.number().int().min(1).max(32).default(1),
  /** Unanswered submit_sm allowed per bind. */
  window: z.number().int().min(1).max(1000).default(10),
  /** Contracted submit rate per bind (a token bucket). */
  maxSubmitsPerSecond: z.number().min(0.1).max(100_000).default(100),
  /** Contracted submit rate of the whole account, over all its binds (and all replicas), when the contract sets one. */
  accountMaxSubmitsPerSecond: z.number().min(0.1).max(1_000_000).optional(),
  enquireLinkMs: z.number().int().min(1000).max(300_000).default(30_000),
  responseTimeoutMs: z.number().int().min(100).max(120_000).default(10_000),
});
export type SmscConnection = z.infer<typeof smscConnection>;

/** Which connection carries which messages, and how they are shaped on it. */
export const smsRoute = z.strictObject({
  id: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/),
  connection: z.string(),
  /** E.164 prefixes (`+33`, `+336`); empty means every number. The longest match wins. */
  prefixes: z.array(z.string().regex(/^\+\d{1,15}$/)).default([]),
  /** Receiver kinds served; empty means all. */
  receiverKinds: z.array(receiverKind).default([]),
  /** Sender: letters (alphanumeric, TON 5) or digits (a short code or long number). */
  sourceAddr: z.string().min(1).max(20).default('Outband'),
  sourceTon: z.number().int().min(0).max(6).optional(),
  sourceNpi: z.number().int().min(0).max(18).optional(),
  /** data_coding for the GSM default alphabet: 0 (SMSC default) or 1 (IA5) as the SMSC expects. */
  gsmDataCoding: z.union([z.literal(0), z.literal(1)]).default(0),
  longMessages: z.enum(['udh8', 'udh16', 'payload']).default('udh8'),
  /** Longest text an alphanumeric pager on this route shows. */
  pagerMaxLength: z.number().int().min(10).max(160).default(80),
  /** dest_network_type TLV, e.g. 8 for a paging network. */
  destNetworkType: z.number().int().min(0).max(255).optional(),
});
export type SmsRoute = z.infer<typeof smsRoute>;

export const routingConfig = z
  .object({ connections: z.array(smscConnection).min(1), routes: z.array(smsRoute).min(1) })
  .superRefine((cfg, ctx) => {
    const ids = new Set(cfg.connections.map((c) => c.id));
    if (ids.size !== cfg.connections.length) {
      ctx.addIssue({ code: 'custom', path: ['connections'], message: 'connection ids must be unique' });
    }
    cfg.routes.forEach((r, i) => {
      if (!ids.has(r.connection)) {
        ctx.addIssue({ code: 'custom', path: ['routes', i, 'connection'], message: `no connection "${r.connection}"` });
      }
    });
  });
export type RoutingConfig = z.infer<typeof routingConfig>;

/** A JSON value in an env string, validated by `schema`. */
export function envJson<S extends z.ZodType>(schema: S) {
  return z.string().transform((text, ctx): z.infer<S> => {
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      ctx.addIssue({ code: 'custom', message: 'must be JSON' });
      return z.NEVER;
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        ctx.addIssue({ code: 'custom', message: `${issue.path.join('.')}: ${issue.message}` });
      }
      return z.NEVER;
    }
    return parsed.data;
  });
}
