import type { Logger } from '@outband/observability';
import type { SubmitRepository, SubmitRow } from '../adapters/submit.repository';
import type { Receipt } from '../smpp/receipt';
import type { PublishStatus } from './status-publisher';

/**
 * Applies delivery receipts to the parts they name, and reports a message once every part of
 * its attempt is final. A receipt can arrive before its submit_sm_resp has been stored; it then
 * waits here briefly instead of being lost.
 */
export class ReceiptTracker {
  // Held receipts by `connection|smsc id`: ids are unique per SMSC only.
  private readonly early = new Map<string, { receipt: Receipt; until: number }>();

  constructor(
    private readonly submits: SubmitRepository,
    private readonly publish: PublishStatus,
    private readonly logger: Logger,
    private readonly holdMs = 60_000,
  ) {}

  async onReceipt(connectionId: string, receipt: Receipt): Promise<void> {
    if (!receipt.state) {
      return; // intermediate state (ENROUTE, ACCEPTD): a final receipt follows
    }
    const row = await this.submits.findBySmscId(connectionId, receipt.smscMessageId);
    if (!row) {
      this.prune();
      this.early.set(`${connectionId}|${receipt.smscMessageId}`, { receipt, until: Date.now() + this.holdMs });
      return;
    }
    await this.apply(row, receipt);
  }

  /** Called once submits are stored: applies receipts that came first. */
  async afterSubmit(connectionId: string, smscIds: readonly string[]): Promise<void> {
    for (const id of smscIds) {
      const key = `${connectionId}|${id}`;
      const held = this.early.get(key);
      if (!held) {
        continue;
      }
      this.early.delete(key);
      const row = await this.submits.findBySmscId(connectionId, id);
      if (row) {
        await this.apply(row, held.receipt);
      }
    }
  }

  private async apply(row: SubmitRow, r: Receipt): Promise<void> {
    if (!r.state) {
      return;
    }
    const error = r.state === 'delivered' ? undefined : `${r.stat}${r.error ? ` err:${r.error}` : ''}`;
    const attempt = await this.submits.applyReceipt(row, r.state, error, new Date());
    if (attempt) {
      await this.publish({
        messageId: row.messageId,
        verificationId: row.verificationId,
        state: attempt.state,
        error: attempt.error,
        attempt,
      });
      this.logger.debug({ messageId: row.messageId, state: attempt.state }, 'delivery receipt applied');
    }
  }

  private prune(): void {
    const now = Date.now();
    for (const [id, held] of this.early) {
      if (held.until < now) {
        this.early.delete(id);
        this.logger.warn({ smscMessageId: id }, 'receipt for an unknown message dropped');
      }
    }
  }
}
