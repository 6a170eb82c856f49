import { isAppError } from '@outband/errors';
import { messageSendV1, unseal, type BusNames, type MessageSendV1, type SealKey } from '@outband/contracts';
import type { Bus, DeliveryContext } from '@outband/bus';
import type { Counter, Logger } from '@outband/observability';
import type { MessageRepository } from '../adapters/message.repository';
import { renderText } from '../domain/message-text';
import type { ReceiptTracker } from '../domain/receipt-tracker';
import type { PublishStatus } from '../domain/status-publisher';
import type { SmppClient } from '../smpp/smpp-client';

export interface MessageSendDeps {
  bus: Bus;
  names: BusNames;
  repo: MessageRepository;
  smpp: SmppClient;
  receipts: ReceiptTracker;
  publish: PublishStatus;
  sealKeys: SealKey[];
  sourceAddr: string;
  maxRetries: number;
  retryBaseMs: number;
  submits: Counter<'result'>;
  logger: Logger;
}

/** Delivers `message.send` over SMPP: once per message, retried while the SMSC is unreachable. */
export async function consumeMessageSend(d: MessageSendDeps): Promise<void> {
  await d.bus.consume(d.names.messageSendQueue, messageSendV1, (m, ctx) => deliver(d, m, ctx), {
    prefetch: 32,
    maxRetries: d.maxRetries,
    retryBaseMs: d.retryBaseMs,
  });
}

async function deliver(d: MessageSendDeps, m: MessageSendV1, ctx: DeliveryContext): Promise<void> {
  const log = d.logger.child({ correlationId: ctx.correlationId, messageId: m.messageId });
  const now = new Date();
  const record = await d.repo.claim(
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
  const report = (state: 'submitted' | 'failed' | 'expired', extra: { smscMessageId?: string; error?: string } = {}) =>
    d.publish({ messageId: m.messageId, verificationId: m.verificationId, state, ...extra }, ctx.correlationId);

  if (record.state !== 'queued') {
    // Redelivered after it was handled: never send twice; repeat the state in case its report was lost.
    log.info({ state: record.state }, 'message already handled');
    await d.publish(
      {
        messageId: m.messageId,
        verificationId: m.verificationId,
        state: record.state,
        smscMessageId: record.smscMessageId ?? undefined,
        error: record.error ?? undefined,
      },
      ctx.correlationId,
    );
    return;
  }
  if (now.getTime() > record.createdAt.getTime() + m.expiresInSeconds * 1000) {
    await d.repo.markFinal(m.messageId, 'expired', 'the code expired before the SMSC took the message', now);
    await report('expired', { error: 'the code expired before the SMSC took the message' });
    return;
  }
  let code: string;
  try {
    code = unseal(d.sealKeys, m.sealedCode, m.messageId);
  } catch (e) {
    const reason = isAppError(e) ? e.message : 'sealed code unreadable';
    await d.repo.markFinal(m.messageId, 'failed', reason, now);
    await report('failed', { error: reason });
    return;
  }
  const text = renderText({
    purpose: m.purpose,
    locale: m.locale,
    receiverKind: m.receiverKind,
    code,
    expiresInSeconds: m.expiresInSeconds,
  });
  await d.repo.countAttempt(m.messageId);
  let smscMessageId: string;
  try {
    smscMessageId = await d.smpp.submit({
      ...sourceOf(d.sourceAddr),
      destinationAddr: m.address.replace(/^\+/, ''),
      text,
      dataCoding: dataCodingOf(text),
    });
  } catch (e) {
    const transient = !isAppError(e) || e.retryable;
    d.submits.inc({ result: transient ? 'transient_error' : 'refused' });
    if (transient && ctx.attempt < d.maxRetries) {
      log.warn({ err: e, attempt: ctx.attempt }, 'submit failed, will retry');
      throw e;
    }
    const reason = isAppError(e) ? `${e.code}: ${e.message}` : 'submit failed';
    await d.repo.markFinal(m.messageId, 'failed', reason, new Date());
    await report('failed', { error: reason });
    log.warn({ errorCode: isAppError(e) ? e.code : 'unknown' }, 'message failed');
    return;
  }
  d.submits.inc({ result: 'accepted' });
  await d.repo.markSubmitted(m.messageId, smscMessageId, new Date());
  await report('submitted', smscMessageId ? { smscMessageId } : {});
  log.info({ smscMessageId }, 'message submitted');
  if (smscMessageId) {
    await d.receipts.afterSubmit(m.messageId, m.verificationId, smscMessageId);
  }
}

/** Letters make an alphanumeric sender (TON 5, NPI 0); digits an international number (TON 1, NPI 1). */
export function sourceOf(addr: string): { sourceAddr: string; sourceTon: number; sourceNpi: number } {
  const digits = addr.replace(/^\+/, '');
  return /^\d+$/.test(digits)
    ? { sourceAddr: digits, sourceTon: 1, sourceNpi: 1 }
    : { sourceAddr: addr.slice(0, 11), sourceTon: 5, sourceNpi: 0 };
}

/** GSM default alphabet (0) for plain text; UCS-2 (8) otherwise. The encoding issue refines this. */
export function dataCodingOf(text: string): number {
  return /^[A-Za-z0-9 .,:;!?'"()@£$¥%&*+\-/=<>#\n\r_]*$/.test(text) ? 0 : 8;
}
