import { messageStatusV1, type BusNames } from '@outband/contracts';
import type { Bus } from '@outband/bus';
import type { CertificateRepository } from '../adapters/certificate.repository';

/** Records delivery state changes reported by the message server on the certificate. */
export async function consumeMessageStatus(bus: Bus, names: BusNames, certificates: CertificateRepository): Promise<void> {
  await bus.consume(names.messageStatusQueue, messageStatusV1, async (event) => {
    await certificates.updateDelivery(event.messageId, event.state, new Date(event.at), event.smscMessageId, event.error);
    if (event.attempt) {
      await certificates.upsertAttempt(event.messageId, event.attempt, new Date(event.at));
    }
  });
}
