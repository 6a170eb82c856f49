import { messageStateChanged, messageStatus, type BusNames, type MessageStatusReport } from '@outband/contracts';
import type { MessageBus } from '@outband/bus';
import type { CertificateRepository } from './certificate.repository';
import type { DataServerMetrics } from '../platform/metrics';
import type { WebhookService } from '../webhooks/webhook.service';

/**
 * Records delivery state changes reported by the message server on the certificate; a final
 * one (delivered, failed) goes to the merchant's `message.*` webhooks.
 */
export async function consumeMessageStatus(
  bus: MessageBus,
  names: BusNames,
  certificates: CertificateRepository,
  webhooks: Pick<WebhookService, 'emit'>,
  metrics: Pick<DataServerMetrics, 'codeSubmitSeconds' | 'codeDeliverySeconds' | 'deliveryOutcomes'>,
  /** Broker users whose reports are taken (the message server's). */
  publishers: readonly string[] | 'any' = 'any',
): Promise<void> {
  const apply = async (event: MessageStatusReport): Promise<void> => {
    // A notice has no certificate: its delivery is the message server's alone to log.
    const owner = await certificates.ownerOf(event.messageId);
    if (!owner) {
      return;
    }
    await certificates.recordDelivery({
      messageId: event.messageId,
      state: event.state,
      at: new Date(event.at),
      smscMessageId: event.smscMessageId,
      error: event.error,
      attempt: event.attempt,
    });
    const final = event.state === 'delivered' || event.state === 'failed' || event.state === 'expired';
    if (event.state !== 'submitted' && !final) {
      return;
    }
    const since = (Date.parse(event.at) - owner.createdAt.getTime()) / 1000;
    if (event.state === 'submitted') {
      metrics.codeSubmitSeconds.observe(since);
    }
    if (final) {
      metrics.deliveryOutcomes.inc({ state: event.state });
    }
    if (event.state === 'delivered') {
      metrics.codeDeliverySeconds.observe(since);
    }
    if (event.state === 'delivered' || event.state === 'failed') {
      await webhooks.emit(
        owner.merchantId,
        messageStateChanged({ messageId: event.messageId, verificationId: owner.verificationId, state: event.state, error: event.error }),
      );
    }
  };
  await bus.consume(
    names.messageStatusQueue,
    messageStatus,
    async (m) => {
      switch (m.version) {
        case 1:
          return apply(m);
        case 2:
          // Together, so that they share their statements; each is idempotent, so a batch
          // retried after one report failed changes nothing for the others.
          for (const r of await Promise.allSettled(m.reports.map(apply))) {
            if (r.status === 'rejected') {
              throw r.reason;
            }
          }
          return;
      }
    },
    // A wide prefetch: reports handled together share their statements (CertificateRepository).
    { prefetch: 64, trustedPublishers: publishers },
  );
}
