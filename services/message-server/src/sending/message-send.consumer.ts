import { randomInt } from 'node:crypto';
import { isAppError } from '@outband/errors';
import {
  certifiedMessage,
  messageSendV1,
  transactionData,
  unseal,
  type BusNames,
  type MessageSendV1,
  type SealKey,
  type TransactionData,
} from '@outband/contracts';
import type { DeliveryContext, MessageBus } from '@outband/bus';
import type { Counter, Logger } from '@outband/observability';
import type { ReceiptTracker } from '../receipts/receipt-tracker';
import type { PublishStatus } from '../receipts/status-publisher';
import { attemptOf, type SubmitRepository } from '../receipts/submit.repository';
import type { SmsRoute } from '../smpp-routing.config';
import { dispatch, type Submitter } from './dispatch';
import type { MessageRepository } from './message.repository';

export interface MessageSendDeps {
  bus: MessageBus;
  names: BusNames;
  messages: MessageRepository;
  submits: SubmitRepository;
  routes: readonly SmsRoute[];
  pools: ReadonlyMap<string, Submitter>;
  receipts: ReceiptTracker;
  publish: PublishStatus;
  sealKeys: SealKey[];
  maxRetries: number;
  retryBaseMs: number;
  prefetch: number;
  /** Broker users whose `message.send` is delivered (the data server's); others are dead-lettered. */
  publishers: readonly string[];
  outcomes: Counter<'result'>;
  /** submit_sm tries by route and SMSC answer. */
  submitsByRoute?: Counter<'route' | 'status'>;
  logger: Logger;
}

/** Delivers `message.send` over SMPP: once per message, retried while no route takes it. */
export async function consumeMessageSend(d: MessageSendDeps): Promise<void> {
  // Two copies of one message at once (republished by an outbox whose confirm was lost, and
  // redelivered): the second would find the first's claim still queued and send it again.
  const sending = new Set<string>();
  const deliverOnce = async (m: MessageSendV1, ctx: DeliveryContext): Promise<void> => {
    if (sending.has(m.messageId)) {
      d.logger.info({ correlationId: ctx.correlationId, messageId: m.messageId }, 'message already being sent here');
      return;
    }
    sending.add(m.messageId);
    try {
      await deliver(d, m, ctx);
    } finally {
      sending.delete(m.messageId);
    }
  };
  await d.bus.consume(d.names.messageSendQueue, messageSendV1, deliverOnce, {
    prefetch: d.prefetch,
    maxRetries: d.maxRetries,
    retryBaseMs: d.retryBaseMs,
    trustedPublishers: d.publishers,
  });
}

async function deliver(d: MessageSendDeps, m: MessageSendV1, ctx: DeliveryContext): Promise<void> {
  const log = d.logger.child({ correlationId: ctx.correlationId, messageId: m.messageId });
  const now = new Date();
  const record = await d.messages.claim(
    {
      id: m.messageId,
      verificationId: m.verificationId,
      address: m.address,
      receiverKind: m.receiverKind,
      purpose: m.purpose,
      createdAt: now,
    },
    now,
  );
  // A notice's delivery is logged here, not reported: it belongs to no certificate.
  const report: PublishStatus = (s) => (m.notice ? Promise.resolve() : d.publish(s, ctx.correlationId));
  const base = { messageId: m.messageId, verificationId: m.verificationId };

  // Redelivered after it was handled: never send twice; repeat the state in case its report was lost.
  const handled =
    record.state !== 'queued' ? record.state : !record.fresh && (await d.submits.hasAccepted(m.messageId)) ? 'submitted' : undefined;
  if (handled) {
    log.info({ state: handled }, 'message already handled');
    // The first report may have died with a killed process: the repeat carries what was stored
    // (the SMSC's ids and the attempt), or the certificate would never learn them.
    const attempt = await d.submits.attempt(m.messageId, await d.submits.lastAttempt(m.messageId));
    const stored = attempt ? { attempt, smscMessageId: attempt.smscMessageIds[0] || undefined } : {};
    await report({ ...base, state: handled, error: record.error ?? undefined, ...stored });
    return;
  }
  const fail = async (state: 'failed' | 'expired', error: string, attempt?: Awaited<ReturnType<SubmitRepository['attempt']>>) => {
    d.outcomes.inc({ result: state });
    await d.messages.markFinal(m.messageId, state, error, new Date());
    await report({ ...base, state, error, attempt });
  };
  if (now.getTime() > record.createdAt.getTime() + m.expiresInSeconds * 1000) {
    await fail('expired', 'the code expired before an SMSC took the message');
    return;
  }
  let code = '';
  let transaction: TransactionData | undefined;
  let statement: string | undefined;
  try {
    code = m.sealedCode ? unseal(d.sealKeys, m.sealedCode, m.messageId) : '';
    transaction = m.sealedTransaction ? transactionData.parse(JSON.parse(unseal(d.sealKeys, m.sealedTransaction, m.messageId))) : undefined;
    statement = m.sealedMessage ? certifiedMessage.parse(JSON.parse(unseal(d.sealKeys, m.sealedMessage, m.messageId))).text : undefined;
  } catch (e) {
    await fail('failed', isAppError(e) ? e.message : 'sealed fields unreadable');
    return;
  }
  // Attempts are numbered in memory from what is recorded; a redelivery continues the count.
  let attempts = record.fresh ? 0 : await d.submits.lastAttempt(m.messageId);
  const result = await dispatch(
    {
      routes: d.routes,
      pools: d.pools,
      nextAttempt: () => Promise.resolve(++attempts),
      recordAttempt: async (attempt, route, ids, state, error) => {
        d.submitsByRoute?.inc({ route: route.id, status: state === 'submitted' ? 'ok' : smscStatusOf(error) });
        const at = new Date();
        if (state === 'submitted') {
          // The SMS is out: were this lost, a redelivery would send it again. Keep trying while
          // the database is away rather than give the message back.
          await untilStored(() => d.submits.recordSubmitted(m.messageId, attempt, route, ids, at), log);
          return;
        }
        await d.submits.recordFailed(m.messageId, attempt, route, ids, error ?? 'failed', at);
        // Tell the data server about the failed try now; 'queued' leaves the message's state as it is.
        await report({ ...base, state: 'queued', attempt: attemptOf(attempt, route.id, null, ids, 'failed', error) });
      },
      reference: () => randomInt(0, 0x10000),
    },
    { address: m.address, receiverKind: m.receiverKind, purpose: m.purpose, locale: m.locale },
    m.notice
      ? { notice: m.notice }
      : {
          code,
          expiresInSeconds: m.expiresInSeconds,
          ...(transaction ? { amount: { minor: transaction.amount, currency: transaction.currency }, payee: transaction.payee } : {}),
          ...(statement ? { statement } : {}),
          ...(m.senderName ? { senderName: m.senderName } : {}),
          ...(m.template ? { template: m.template } : {}),
        },
  );
  switch (result.kind) {
    case 'submitted': {
      d.outcomes.inc({ result: 'submitted' });
      const attempt = attemptOf(result.attempt, result.route, new Date(), result.smscIds, 'submitted', undefined);
      await report({ ...base, state: 'submitted', smscMessageId: result.smscIds[0] || undefined, attempt });
      log.info({ route: result.route, parts: result.smscIds.length }, 'message submitted');
      await d.receipts.afterSubmit(result.connection, result.smscIds.filter(Boolean));
      return;
    }
    case 'refused':
      log.warn({ route: result.route, reason: result.error }, 'message refused');
      await fail('failed', result.error, result.attempt ? await d.submits.attempt(m.messageId, result.attempt) : undefined);
      return;
    case 'unavailable':
      if (ctx.attempt < d.maxRetries) {
        d.outcomes.inc({ result: 'retry' });
        log.warn({ attempt: ctx.attempt, reasons: result.errors }, 'no route took the message, retrying later');
        throw new Error(`no route took the message: ${result.errors.join('; ')}`);
      }
      await fail('failed', `no route took the message after ${ctx.attempt + 1} tries: ${result.errors.join('; ')}`.slice(0, 200));
      return;
  }
}

/** The SMSC's command status in an error (`ESME_RTHROTTLED: …`), or `other`: a bounded label. */
function smscStatusOf(error: string | undefined): string {
  const status = /^(ESME_[A-Z0-9]+|0x[0-9a-f]{8})\b/i.exec(error ?? '')?.[1];
  return status ?? 'other';
}

/** Retries a write with a growing pause (at most 2 s) for up to two minutes, then gives up. */
async function untilStored(write: () => Promise<void>, log: { warn: (o: object, msg: string) => void }, forMs = 120_000): Promise<void> {
  const deadline = Date.now() + forMs;
  for (let pause = 100; ; pause = Math.min(2000, pause * 2)) {
    try {
      await write();
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        throw err;
      }
      log.warn({ err }, 'submit not stored yet: retrying');
      await new Promise((r) => setTimeout(r, pause));
    }
  }
}
