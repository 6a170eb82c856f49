import { randomBytes } from 'node:crypto';
import type { InboxMessage } from '@outband/smsc-simulator';
import { api, eventually, waitForInbox, type Answer } from './http';
import type { Suite } from './suite';

/**
 * Positive signals to wait for before asserting that something did NOT happen, and polls for a
 * window to pass: tests wait for an event, never for a fixed time.
 */

/** A transaction whose payee no other text holds: its SMS is told apart from every other one. */
function markerTransaction(): { amount: number; currency: string; payee: string } {
  // Letters only: a payee may not hold three digits in a row.
  const letters = [...randomBytes(10)].map((b) => String.fromCharCode(97 + (b % 26))).join('');
  return { amount: 1, currency: 'EUR', payee: `Marker ${letters}` };
}

/** Starts a transaction verification for `identifier` whose SMS names a payee of its own. */
export async function startMarked(suite: Suite, identifier: string): Promise<Answer & { payee: string }> {
  const transaction = markerTransaction();
  const answer = await api(suite, 'POST', '/v1/verifications', { body: { identifier, purpose: 'transaction', transaction } });
  return { ...answer, payee: transaction.payee };
}

/**
 * Waits until the SMS naming `payee` reaches `address`; returns what the handset received before
 * it. A route's messages arrive in order, so anything sent to it earlier has arrived by then.
 */
export function receivedBefore(suite: Suite, address: string, payee: string, timeoutMs = 15_000): Promise<InboxMessage[]> {
  return eventually(() => {
    const inbox = suite.sim.inbox.list(address);
    const at = inbox.findIndex((m) => m.text.includes(payee));
    return Promise.resolve(at < 0 ? undefined : inbox.slice(0, at));
  }, timeoutMs);
}

/**
 * Sends a later SMS to the subscriber's handset and waits for it: returns every message the
 * handset received before it, to assert that no other one came. Its start cancels the
 * subscriber's pending verification: call it once the test is done with that one.
 */
export async function receivedBeforeNext(suite: Suite, identifier: string, address: string): Promise<InboxMessage[]> {
  const marked = await startMarked(suite, identifier);
  if (marked.status !== 201) {
    throw new Error(`the marker SMS was refused: ${marked.status} ${String(marked.body.code)}`);
  }
  return receivedBefore(suite, address, marked.payee);
}

/**
 * Repeats `request` while it is refused with 429 and `code` (a window or a cool-down not over
 * yet); returns the first other answer, to assert on.
 */
export function whenNoLonger<A extends Answer>(code: string, request: () => Promise<A>, timeoutMs = 15_000): Promise<A> {
  return eventually(async () => {
    const answer = await request();
    return answer.status === 429 && answer.body.code === code ? undefined : answer;
  }, timeoutMs);
}

/** The value of a counter on a service's ops port (0 when absent), its labels matched by `labels`. */
export async function counter(opsPort: number, name: string, labels: Record<string, string> = {}): Promise<number> {
  const text = await (await fetch(`http://127.0.0.1:${opsPort}/metrics`)).text();
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  let total = 0;
  for (const line of text.split('\n')) {
    const [series, value] = line.split(' ');
    if (series && (series === name || series.startsWith(`${name}{`)) && wanted.every((w) => series.includes(w))) {
      total += Number(value);
    }
  }
  return total;
}

/**
 * Sends a later message to a handset and waits until it arrives: whatever was queued for that
 * handset (or ahead of it) before has been handled by then, so an absence can be asserted.
 * `start` begins the verification (the default: a login for `identifier` as the suite's merchant)
 * and answers its id; the answer holds the new message's code and the inbox at that moment.
 */
export async function laterMessage(
  suite: Suite,
  address: string,
  start: string | (() => Promise<string>),
): Promise<{ id: string; code: string; inbox: Awaited<ReturnType<typeof waitForInbox>> }> {
  const had = (await waitForInbox(suite, address, 0)).length;
  const id =
    typeof start === 'string'
      ? String((await api(suite, 'POST', '/v1/verifications', { body: { identifier: start } })).body.id)
      : await start();
  const inbox = await waitForInbox(suite, address, had + 1);
  const code = /(\d{6,10})/.exec(inbox[inbox.length - 1]?.text ?? '')?.[1];
  if (!code) {
    throw new Error(`no code in the later message to ${address}`);
  }
  return { id, code, inbox };
}

/** Waits until a log line holds every one of `needles`; answers the first such line. */
export function logged(suite: Suite, ...needles: string[]): Promise<string> {
  return eventually(async () => Promise.resolve(suite.logs.find((l) => needles.every((n) => l.includes(n)))));
}
