import { randomInt } from 'node:crypto';
import { isAppError } from '@outband/errors';
import { messageSendV1, unseal, type BusNames, type MessageSendV1, type SealKey } from '@outband/contracts';
import type { Bus, DeliveryContext } from '@outband/bus';
import type { Counter, Logger } from '@outband/observability';
import type { MessageRepository } from '../adapters/message.repository';
import type { SubmitRepository } from '../adapters/submit.repository';
import { dispatch, type Submitter } from '../domain/dispatch';
import type { ReceiptTracker } from '../domain/receipt-tracker';
import type { PublishStatus } from '../domain/status-publisher';
import type { SmsRoute } from '../smpp-routing.config';

export interface MessageSendDeps {
  bus: Bus;
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
  outcomes: Counter<'result'>;
  logger: Logger;
}

/** Delivers `message.send` over SMPP: once per message, retried while no route takes it. */
export async function consumeMessageSend(d: MessageSendDeps): Promise<void> {
  await d.bus.consume(d.names.messageSendQueue, messageSendV1, (m, ctx) => deliver(d, m, ctx), {
    prefetch: d.prefetch,
    maxRetries: d.maxRetries,
    retryBaseMs: d.retryBaseMs,
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
  const report: PublishStatus = (s) => d.publish(s, ctx.correlationId);
  const base = { messageId: m.messageId, verificationId: m.verificationId };

  if (record.state !== 'queued') {
    // Redelivered after it was handled: never send twice; repeat the state in case its report was lost.
    log.info({ state: record.state }, 'message already handled');
    await report({ ...base, state: record.state, error: record.error ?? undefined });
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
  let code: string;
  try {
    code = unseal(d.sealKeys, m.sealedCode, m.messageId);
  } catch (e) {
    await fail('failed', isAppError(e) ? e.message : 'sealed code unreadable');
    return;
  }
  const result = await dispatch(
    {
      routes: d.routes,
      pools: d.pools,
      nextAttempt: () => d.messages.nextAttempt(m.messageId),
      recordAttempt: async (attempt, route, ids, state, error) => {
        await d.submits.record(m.messageId, attempt, route, ids, state, error, new Date());
        if (state === 'failed') {
          // Tell the data server about the failed try now; 'queued' leaves the message's state as it is.
          await report({ ...base, state: 'queued', attempt: await d.submits.attempt(m.messageId, attempt) });
        }
      },
      reference: () => randomInt(0, 0x10000),
    },
    { address: m.address, receiverKind: m.receiverKind, purpose: m.purpose, locale: m.locale },
    { code, expiresInSeconds: m.expiresInSeconds },
  );
  switch (result.kind) {
    case 'submitted': {
      d.outcomes.inc({ result: 'submitted' });
      await d.messages.markSubmitted(m.messageId, result.smscIds.join(',').slice(0, 65), new Date());
      const attempt = await d.submits.attempt(m.messageId, result.attempt);
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
