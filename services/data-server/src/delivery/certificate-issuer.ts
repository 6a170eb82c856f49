import { Batcher, retryDeadlock, type Knex } from '@outband/db';
import type { CertificateRecord, CertificateRepository } from './certificate.repository';
import type { MessageOutbox, OutboxMessage } from './message-outbox';

/**
 * Records certificates and stages their messages in one transaction (both or neither), then
 * publishes each message. Concurrent issues share one transaction (group commit).
 */
export class CertificateIssuer {
  private readonly batches = new Batcher<{ certificate: CertificateRecord; message: OutboxMessage }, undefined>(async (items) => {
    // Its inserts can deadlock with the cleanup of published rows (gap locks): the victim runs again.
    await retryDeadlock(() =>
      this.db.transaction(async (trx) => {
        await this.certificates.insert(
          items.map((i) => i.certificate),
          trx,
        );
        await this.outbox.stage(
          trx,
          items.map((i) => i.message),
        );
      }),
    );
    return items.map(() => undefined);
  });

  constructor(
    private readonly db: Knex,
    private readonly certificates: CertificateRepository,
    private readonly outbox: MessageOutbox,
  ) {}

  /** Resolves once committed; the publish that follows may fail and is then the relay's job. */
  async issue(certificate: CertificateRecord, merchantId: string, message: OutboxMessage): Promise<void> {
    await this.batches.add({ certificate, message });
    this.certificates.rememberOwner(certificate.id, {
      verificationId: certificate.verificationId,
      merchantId,
      createdAt: certificate.createdAt,
    });
    await this.outbox.publish(message);
  }
}
