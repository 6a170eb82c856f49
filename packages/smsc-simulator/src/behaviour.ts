/** How the simulated SMSC behaves; every field can change while it runs. */
export interface SmscBehaviour {
  /** Delay before a delivery receipt, plus up to `receiptJitterMs` at random. */
  receiptDelayMs: number;
  receiptJitterMs: number;
  /** Final receipt states and their weights, e.g. `{ DELIVRD: 9, UNDELIV: 1 }`. */
  receiptOutcomes: Record<string, number>;
  /** Delay before each submit_sm_resp (lets windows fill up). */
  responseDelayMs: number;
  /** Submits per second accepted per bind; above it, ESME_RTHROTTLED. 0 = no limit. */
  maxSubmitsPerSecond: number;
  /** Unanswered submits allowed per bind; above it, ESME_RMSGQFUL. 0 = no limit. */
  window: number;
  /** Refuse submits to a destination (E.164 with +) that starts with `prefix`, or is `address`, with a status. */
  errorRules: ErrorRule[];
  /** Leave this many next submits unanswered, as a stuck SMSC does. */
  silentSubmits: number;
  /** Refuse binds (ESME_RBINDFAIL) until this time (epoch ms). */
  refuseBindsUntil: number;
  /** How message ids are written in submit_sm_resp; receipts may write them in decimal. */
  messageIds: 'hex' | 'decimal' | 'empty';
  receiptIds: 'same' | 'decimal';
  /** Which bind of the account a receipt goes to (see `ReceiptBinds`). */
  receiptBinds: ReceiptBinds;
  /** How long before a receipt answered with an error, or left unanswered by a closed bind, is sent again. */
  receiptRetryMs: number;
}

/**
 * Where receipts go among the account's binds that can receive: `first` (the oldest such bind),
 * `submitter` (the bind that took the submit, when it can receive), `other` (any bind but that
 * one, as when several servers share an account) or `round-robin`. Each falls back to `first`.
 */
export type ReceiptBinds = 'first' | 'submitter' | 'other' | 'round-robin';

/**
 * A refusal rule: plain prefix or exact matches, never a pattern, so a rule sent over HTTP cannot
 * make each submit run a catastrophically backtracking regex.
 */
export type ErrorRule = { prefix: string; status: number } | { address: string; status: number };

export const defaultBehaviour: SmscBehaviour = {
  receiptDelayMs: 200,
  receiptJitterMs: 0,
  receiptOutcomes: { DELIVRD: 1 },
  responseDelayMs: 0,
  maxSubmitsPerSecond: 0,
  window: 0,
  errorRules: [],
  silentSubmits: 0,
  refuseBindsUntil: 0,
  messageIds: 'hex',
  receiptIds: 'same',
  receiptBinds: 'first',
  receiptRetryMs: 500,
};

/** Picks a receipt state by weight. */
export function pickOutcome(outcomes: Record<string, number>, random = Math.random()): string {
  const entries = Object.entries(outcomes).filter(([, w]) => w > 0);
  const total = entries.reduce((n, [, w]) => n + w, 0);
  let r = random * total;
  for (const [stat, w] of entries) {
    r -= w;
    if (r < 0) {
      return stat;
    }
  }
  return entries[entries.length - 1]?.[0] ?? 'DELIVRD';
}

/** The status a destination is refused with, if a rule matches. */
export function injectedError(rules: readonly ErrorRule[], destination: string): number | undefined {
  return rules.find((r) => ('prefix' in r ? destination.startsWith(r.prefix) : destination === r.address))?.status;
}
