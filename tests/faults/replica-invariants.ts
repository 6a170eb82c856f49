import type { Harness } from './harness';
import type { SmppTap } from './smpp-tap';
import type { WebhookCall } from './webhook-receiver';

/** Polls `probe` until `done` holds or `timeoutMs` passes; answers the last value either way. */
export async function settled<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value) || Date.now() > deadline) {
      return value;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** What became of each accepted verification's message, in both servers' records and at the SMSC. */
export interface Deliveries {
  /** Accepted verifications no SMS of which reached the SMSC. */
  smsMissing: string[];
  /** Accepted verifications whose message is not delivered in the records (a receipt a killed server left unanswered is sent again by the SMSC). */
  notApplied: string[];
}

export async function deliveriesOf(h: Harness, verificationIds: string[]): Promise<Deliveries> {
  const rows: Array<{ verification: string; id: string; certificate: string; message: string | null }> = await h
    .db('certificates as c')
    .leftJoin('messages as m', 'm.id', 'c.id')
    .whereIn('c.verification_id', verificationIds)
    .select('c.verification_id as verification', 'c.id', 'c.delivery_state as certificate', 'm.state as message');
  const submits = await storedSubmits(h);
  const inbox = new Set(h.sim.inbox.addresses().flatMap((a) => h.sim.inbox.list(a).flatMap((m) => m.messageIds)));
  const byVerification = new Map(rows.map((r) => [r.verification, r]));
  const result: Deliveries = { smsMissing: [], notApplied: [] };
  for (const id of verificationIds) {
    const row = byVerification.get(id);
    const smscIds = row ? (submits.byMessage.get(row.id) ?? []) : [];
    if (!smscIds.some((s) => inbox.has(s))) {
      result.smsMissing.push(id);
    } else if (row?.certificate !== 'delivered' || row.message !== 'delivered') {
      result.notApplied.push(id);
    }
  }
  return result;
}

/** SMSC ids of the submits the message servers stored, by message. */
async function storedSubmits(h: Harness): Promise<{ byMessage: Map<string, string[]>; all: Set<string> }> {
  const rows: Array<{ message: string; smsc: string }> = await h
    .db('submits')
    .whereNotNull('smsc_message_id')
    .select('message_id as message', 'smsc_message_id as smsc');
  const byMessage = new Map<string, string[]>();
  for (const r of rows) {
    byMessage.set(r.message, [...(byMessage.get(r.message) ?? []), r.smsc]);
  }
  return { byMessage, all: new Set(rows.map((r) => r.smsc)) };
}

/**
 * Receipts that reached each message server for submits another one made: what proves that
 * a receipt is applied whichever replica holds the bind it comes on.
 */
export function receiptsCrossed(taps: SmppTap[]): number[] {
  return taps.map((tap) => [...tap.receipts].filter((id) => taps.some((other) => other !== tap && other.submitted.has(id))).length);
}

/** Receipts a server refused that name a submit some server stored (it should have found it). */
export async function refusedKnownReceipts(h: Harness): Promise<string[]> {
  const { all } = await storedSubmits(h);
  return h.smpp.flatMap((t) => [...t.refused].filter((id) => all.has(id)));
}

/**
 * SMS a handset got twice, told apart: inside the window when the earlier copy went out through
 * a killed message server that never stored its submit (so the message was sent again), outside
 * it otherwise. Each handset here gets one code.
 */
export async function duplicatesByWindow(h: Harness, killed: SmppTap): Promise<{ inside: number; outside: string[] }> {
  const { all } = await storedSubmits(h);
  let inside = 0;
  const outside: string[] = [];
  for (const address of h.sim.inbox.addresses()) {
    const copies = h.sim.inbox.list(address);
    const unrecorded = copies.filter((m) => m.messageIds.every((id) => killed.submitted.has(id) && !all.has(id))).length;
    const extra = copies.length - 1;
    inside += Math.min(extra, unrecorded);
    if (extra > unrecorded) {
      outside.push(address);
    }
  }
  return { inside, outside };
}

/** The accepted payments the records show captured. */
export async function capturedOf(h: Harness, paymentIds: string[]): Promise<string[]> {
  const rows: Array<{ id: string }> = await h.db('payments').whereIn('id', paymentIds).where({ state: 'captured' }).select('id');
  return rows.map((r) => r.id);
}

/**
 * Payments whose money the bank did not move exactly as the records say: authorized more than
 * once, captured twice, captured when not recorded so (or the other way round), or a card
 * charged other than once per capture.
 */
export function notCapturedOnce(h: Harness, paymentIds: string[], captured: string[], amount: number, balance: number): string[] {
  const authorizations = h.bank.bank.list();
  return paymentIds.filter((id) => {
    const mine = authorizations.filter((a) => a.reference === id);
    const card = mine[0] ? h.bank.bank.card(mine[0].cardToken) : undefined;
    const captures = mine.filter((a) => a.status === 'captured').length;
    // Each payer pays once in the burst: its card shows how much was taken.
    return (
      mine.length > 1 ||
      captures !== (captured.includes(id) ? 1 : 0) ||
      (card !== undefined && card.balance !== balance - captures * amount)
    );
  });
}

/** What the merchant's endpoint made of the webhooks, deduplicated by event id as a merchant does. */
export interface WebhookTally {
  events: number;
  /** Queued deliveries not delivered, or delivered with no successful call the endpoint saw. */
  lost: string[];
  /** Events the endpoint answered 2xx more than once. */
  twice: string[];
  /** Of those, the ones whose first success came from a server that is no longer running (its settle died with it). */
  twiceAfterKill: string[];
  /** Deliveries the endpoint got more tries of than their claims counted. */
  uncounted: string[];
  /** Calls by sender process. */
  bySender: Map<number | undefined, number>;
}

export async function tallyWebhooks(h: Harness, calls: WebhookCall[], survivors: number[]): Promise<WebhookTally> {
  const rows: Array<{ event: string; status: string; attempts: number }> = await h
    .db('webhook_deliveries')
    .select('event_id as event', 'status', 'attempts');
  const byEvent = new Map<string, WebhookCall[]>();
  const bySender = new Map<number | undefined, number>();
  for (const c of calls) {
    byEvent.set(c.eventId, [...(byEvent.get(c.eventId) ?? []), c]);
    bySender.set(c.sender, (bySender.get(c.sender) ?? 0) + 1);
  }
  const successes = (event: string) => (byEvent.get(event) ?? []).filter((c) => c.status >= 200 && c.status < 300);
  const twice = [...byEvent.keys()].filter((e) => successes(e).length > 1);
  return {
    events: rows.length,
    lost: rows.filter((r) => r.status !== 'delivered' || successes(r.event).length === 0).map((r) => r.event),
    twice,
    twiceAfterKill: twice.filter((e) => !survivors.includes(successes(e)[0]?.sender ?? -1)),
    uncounted: rows.filter((r) => (byEvent.get(r.event)?.length ?? 0) > Number(r.attempts)).map((r) => r.event),
    bySender,
  };
}

/** Accepted verifications and captured payments the endpoint got no successful event for. */
export function eventsMissing(calls: WebhookCall[], verificationIds: string[], capturedPaymentIds: string[]): string[] {
  const ok = calls.filter((c) => c.status >= 200 && c.status < 300);
  const delivered = new Set(ok.filter((c) => c.type === 'message.delivered').map((c) => String(c.data.verificationId)));
  const captured = new Set(ok.filter((c) => c.type === 'payment.captured').map((c) => String(c.data.id)));
  return [
    ...verificationIds.filter((id) => !delivered.has(id)).map((id) => `message.delivered ${id}`),
    ...capturedPaymentIds.filter((id) => !captured.has(id)).map((id) => `payment.captured ${id}`),
  ];
}
