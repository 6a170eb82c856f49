import * as amqp from 'amqplib';
import { sideQueues } from '@outband/bus';
import { busNames } from '@outband/contracts';
import { address, type Harness } from './harness';

/** What one scenario saw; a row of the table the fault suite prints. */
export interface ScenarioResult {
  scenario: string;
  /** Codes accepted: verifications started and payments whose code went out (answered 201). */
  accepted: number;
  finished: number;
  lost: number;
  duplicates: number;
  paymentsAccepted: number;
  paymentsCaptured: number;
  ledgerDuplicates: number;
  deadLetters: number;
  recoverSeconds: number;
  /** Why accepted payments were not captured, by answer code. */
  notCaptured: string;
}

interface Accepted {
  verifications: Array<{ id: string; address: string }>;
  payments: Array<{ id: string; verificationId: string; address: string }>;
}

/** What every payment of a burst pays. */
export const transaction = { amount: 1_250, currency: 'EUR', payee: 'Fault shop' };

/**
 * Sends `verifications` starts and `payments` payments with `concurrency` workers, in turn to
 * each information server still running; once a third is sent (or, given `faultAfterAccepted`,
 * once that many verifications are accepted), runs `fault` beside them. Only answers 201 count
 * as accepted.
 */
export async function burst(
  h: Harness,
  o: { verifications: number; payments: number; concurrency: number; faultAfterAccepted?: number },
  fault: () => Promise<void>,
): Promise<Accepted & { recoverSeconds: number; since: Date }> {
  const since = new Date(); // the services run on this machine: one clock
  h.sim.inbox.clear();
  const jobs: Array<() => Promise<void>> = [];
  const accepted: Accepted = { verifications: [], payments: [] };
  let sent = 0;
  const post = async (path: string, body: object): Promise<Record<string, unknown> | undefined> => {
    const urls = h.baseUrls();
    sent += 1;
    try {
      const res = await fetch(`${urls[sent % urls.length] ?? h.baseUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${h.token()}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(20_000),
      });
      const parsed = (await res.json().catch(() => ({}))) as Record<string, unknown>;
      return res.status === 201 ? parsed : undefined;
    } catch {
      return undefined; // no answer: not accepted
    }
  };
  for (let i = 0; i < o.verifications; i += 1) {
    const n = i % h.verifiers.length;
    jobs.push(async () => {
      const v = await post('/v1/verifications', { identifier: h.verifiers[n] });
      if (v) {
        accepted.verifications.push({ id: String(v.id), address: address(1, n) });
      }
    });
  }
  for (let i = 0; i < o.payments; i += 1) {
    const n = i % h.payers.length;
    // Spread among the starts, so the fault hits payments in flight too.
    jobs.splice(Math.floor((i * jobs.length) / o.payments), 0, async () => {
      const p = await post('/v1/payments', { source: { kind: 'contract', identifier: h.payers[n] }, transaction });
      if (p) {
        accepted.payments.push({ id: String(p.id), verificationId: String(p.verificationId), address: address(2, n) });
      }
    });
  }
  let next = 0;
  let faulted: Promise<number> | undefined;
  const worker = async () => {
    while (next < jobs.length) {
      const job = jobs[next];
      next += 1;
      const due = o.faultAfterAccepted === undefined ? next >= jobs.length / 3 : accepted.verifications.length >= o.faultAfterAccepted;
      if (!faulted && due) {
        const began = Date.now();
        faulted = fault().then(() => (Date.now() - began) / 1000);
      }
      await job?.();
    }
  };
  await Promise.all(Array.from({ length: o.concurrency }, worker));
  const recoverSeconds = await (faulted ?? Promise.resolve(0));
  return { ...accepted, recoverSeconds, since };
}

/**
 * Waits until every accepted verification is final or has its SMS delivered (or `timeoutMs`
 * passes), approves the accepted payments with the codes their payers received, then counts.
 */
export async function settle(
  h: Harness,
  scenario: string,
  a: Accepted & { recoverSeconds: number; since: Date },
  timeoutMs = 90_000,
): Promise<ScenarioResult> {
  const ids = [...a.verifications.map((v) => v.id), ...a.payments.map((p) => p.verificationId)];
  const deadline = Date.now() + timeoutMs;
  let unfinished = ids;
  while (unfinished.length > 0 && Date.now() < deadline) {
    unfinished = await unfinishedOf(h, unfinished);
    if (unfinished.length > 0) {
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  let captured = 0;
  const why = new Map<string, number>();
  const notCaptured = (reason: string) => why.set(reason, (why.get(reason) ?? 0) + 1);
  for (const p of a.payments) {
    const messages = h.sim.inbox.list(p.address);
    const code = /code (\d{6})/.exec(messages[messages.length - 1]?.text ?? '')?.[1];
    if (!code) {
      notCaptured('NO_SMS');
      continue;
    }
    const res = await fetch(`${h.baseUrl}/v1/verifications/${p.verificationId}/check`, {
      method: 'POST',
      headers: { authorization: `Bearer ${h.token()}`, 'content-type': 'application/json' },
      body: JSON.stringify({ code, transaction }),
    });
    const body = (await res.json().catch(() => ({}))) as { code?: string; status?: string; payment?: { state?: string; cause?: string } };
    // Approved: the capture may still be under way (the sweep finishes what a fault interrupted).
    const state = body.payment?.state === 'verified' ? await captureOf(h, p.id) : body.payment?.state;
    if (state === 'captured') {
      captured += 1;
    } else {
      notCaptured(body.code ?? `${body.status ?? '?'}/${state ?? '?'}/${body.payment?.cause ?? ''}`);
    }
  }
  return {
    scenario,
    accepted: ids.length,
    finished: ids.length - unfinished.length,
    lost: unfinished.length,
    duplicates: await duplicateSms(h, a),
    paymentsAccepted: a.payments.length,
    paymentsCaptured: captured,
    ledgerDuplicates: await ledgerDuplicates(h),
    deadLetters: 0,
    recoverSeconds: Math.round(a.recoverSeconds * 10) / 10,
    notCaptured: [...why].map(([k, n]) => `${k}×${n}`).join(' '),
  };
}

/** The state a verified payment reaches within 30 s (captured, unless something is wrong). */
async function captureOf(h: Harness, paymentId: string): Promise<string | undefined> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const res = await fetch(`${h.baseUrl}/v1/payments/${paymentId}`, { headers: { authorization: `Bearer ${h.token()}` } });
    const state = ((await res.json().catch(() => ({}))) as { state?: string }).state;
    if (state !== 'verified' || Date.now() > deadline) {
      return state;
    }
    await new Promise((r) => setTimeout(r, 500));
  }
}

/**
 * Verifications neither final nor with their SMS on the handset: delivered by the record, or
 * in the simulated handset's inbox (a receipt may be lost with the database, not the SMS).
 */
async function unfinishedOf(h: Harness, ids: string[]): Promise<string[]> {
  const rows: Array<{ id: string; status: string; delivered: number | string | null; smsc: string | null }> = [];
  for (let i = 0; i < ids.length; i += 500) {
    const page: typeof rows = await h
      .db('verifications as v')
      .leftJoin('certificates as c', 'c.verification_id', 'v.id')
      .whereIn('v.id', ids.slice(i, i + 500))
      .groupBy('v.id', 'v.status')
      .select('v.id', 'v.status', h.db.raw("MAX(c.delivery_state = 'delivered') as delivered"), h.db.raw('MAX(c.smsc_message_id) as smsc'));
    rows.push(...page);
  }
  const received = new Set(h.sim.inbox.addresses().flatMap((a) => h.sim.inbox.list(a).flatMap((m) => m.messageIds)));
  const done = new Set(
    rows.filter((r) => r.status !== 'pending' || Number(r.delivered) === 1 || received.has(r.smsc ?? '')).map((r) => r.id),
  );
  return ids.filter((id) => !done.has(id));
}

/**
 * SMS handsets received beyond the codes issued since the scenario began (a code whose answer
 * was lost still counts as issued: its SMS is no duplicate).
 */
async function duplicateSms(h: Harness, a: Accepted & { since: Date }): Promise<number> {
  const rows: Array<{ address: string; n: number | string }> = await h
    .db('certificates')
    .where('created_at', '>=', a.since)
    .groupBy('address')
    .select('address', h.db.raw('COUNT(*) as n'));
  const issued = new Map(rows.map((r) => [r.address, Number(r.n)]));
  let duplicates = 0;
  for (const addr of new Set([...issued.keys(), ...a.verifications.map((v) => v.address), ...a.payments.map((p) => p.address)])) {
    duplicates += Math.max(0, h.sim.inbox.list(addr).length - (issued.get(addr) ?? 0));
  }
  return duplicates;
}

/** Ledger entries booked twice for one payment and register. */
async function ledgerDuplicates(h: Harness): Promise<number> {
  const rows = await h
    .db('ledger_entries')
    .whereNotNull('payment_id')
    .groupBy('payment_id', 'register', 'kind')
    .havingRaw('COUNT(*) > 1')
    .select('payment_id');
  return rows.length;
}

/** Messages in the dead-letter queues of the whole topology. */
export async function deadLetters(h: Harness): Promise<number> {
  const names = busNames(h.busPrefix);
  const conn = await amqp.connect(h.rabbitmq.url);
  try {
    const ch = await conn.createChannel();
    let n = 0;
    for (const q of [names.dataRpcQueue, names.messageSendQueue, names.messageStatusQueue, names.inboundQueue]) {
      n += (await ch.checkQueue(sideQueues(q).dead)).messageCount;
    }
    return n;
  } finally {
    await conn.close();
  }
}
