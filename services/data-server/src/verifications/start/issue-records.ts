import type { Knex } from '@outband/db';
import { audited, type AuditEvent, type AuditLog } from '../../audit/audit-log';
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
 * Writes what a start or a resend leaves with its audit row, in the audit trail's transaction
 * (all or nothing), then publishes its message. The starts, resends and checks of one turn share
 * that transaction (group commit), so a start costs a share of one commit instead of a commit for
 * its verification, one for its audit row and one for its certificate and outbox row.
 */
export class IssueRecords {
  /** The rows of every issue in one transaction: one insert per table. */
  private readonly rows = async (trx: Knex, items: IssueRecord[]): Promise<void> => {
    await this.verifications.insert(
      items.flatMap((i) => (i.verification ? [i.verification] : [])),
      trx,
    );
    const sent = items.flatMap((i) => (i.sent ? [i.sent] : []));
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
  };

  constructor(
    private readonly audit: Pick<AuditLog, 'append'>,
    private readonly verifications: Pick<VerificationRepository, 'insert'>,
    private readonly certificates: Pick<CertificateRepository, 'insert' | 'rememberOwner'>,
    private readonly outbox: Pick<MessageOutbox, 'stage' | 'publish'>,
  ) {}

  /** Resolves once committed; the publish that follows may fail and is then the relay's job. */
  async record(r: IssueRecord): Promise<void> {
    await this.audit.append(r.audit, audited(this.rows, r));
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
