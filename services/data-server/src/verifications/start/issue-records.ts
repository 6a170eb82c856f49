import { Batcher, retryDeadlock, type Knex } from '@outband/db';
import { appendChained, auditedAt, type AuditEvent } from '../../audit/audit-log';
import type { CertificateRecord, CertificateRepository } from '../../delivery/certificate.repository';
import type { MessageOutbox, OutboxMessage } from '../../delivery/message-outbox';
import type { VerificationRecord, VerificationRepository } from '../verification.repository';

/** What one issued code leaves: its audit row, the new verification if any, its certificate and message if one is sent. */
export interface IssueRecord {
  audit: AuditEvent;
  /** A new verification, written with its first code: no verification without its audit row. */
  verification?: VerificationRecord;
  sent?: { certificate: CertificateRecord; merchantId: string; message: OutboxMessage };
}

/**
 * Writes what a start or a resend leaves in one transaction (all or nothing), then publishes
 * each message. Concurrent issues share one transaction (group commit), so a start costs a
 * share of one commit instead of a commit for its verification, one for its audit row and one
 * for its certificate and outbox row.
 */
export class IssueRecords {
  private readonly batches = new Batcher<IssueRecord, undefined>(
    async (items) => {
      const sent = items.flatMap((i) => (i.sent ? [i.sent] : []));
      // Its inserts can deadlock with the cleanup of published rows (gap locks): the victim runs again.
      await retryDeadlock(() =>
        this.db.transaction(async (trx) => {
          await this.verifications.insert(
            items.flatMap((i) => (i.verification ? [i.verification] : [])),
            trx,
          );
          if (sent.length > 0) {
            await this.certificates.insert(
              sent.map((s) => s.certificate),
              trx,
            );
            await this.outbox.stage(
              trx,
              sent.map((s) => s.message),
            );
          }
          // Last: the chain's head stays locked only until the commit that follows.
          await appendChained(
            trx,
            items.map((i) => auditedAt(i.audit)),
          );
        }),
      );
      return items.map(() => undefined);
    },
    100,
    // One transaction at a time: the starts that come meanwhile share the next one.
    1,
  );

  constructor(
    private readonly db: Knex,
    private readonly verifications: Pick<VerificationRepository, 'insert'>,
    private readonly certificates: Pick<CertificateRepository, 'insert' | 'rememberOwner'>,
    private readonly outbox: Pick<MessageOutbox, 'stage' | 'publish'>,
  ) {}

  /** Resolves once committed; the publish that follows may fail and is then the relay's job. */
  async record(r: IssueRecord): Promise<void> {
    await this.batches.add(r);
    if (r.sent) {
      const { certificate, merchantId, message } = r.sent;
      this.certificates.rememberOwner(certificate.id, {
        verificationId: certificate.verificationId,
        merchantId,
        createdAt: certificate.createdAt,
      });
      await this.outbox.publish(message);
    }
  }
}
