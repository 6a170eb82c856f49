import type { Logger } from '@outband/observability';
import type { MessageRepository } from '../adapters/message.repository';
import type { Receipt } from '../smpp/receipt';
import type { PublishStatus } from './status-publisher';

/**
 * Applies delivery receipts to messages. A receipt can arrive before we have stored the
 * submit_sm_resp that names its id; such receipts wait here briefly instead of being lost.
 */
export class ReceiptTracker {
  private readonly early = new Map<string, { receipt: Receipt; until: number }>();

  constructor(
    private readonly repo: MessageRepository,
    private readonly publish: PublishStatus,
    private readonly logger: Logger,
    private readonly holdMs = 60_000,
  ) {}

  async onReceipt(receipt: Receipt): Promise<void> {
    if (!receipt.state) {
      return; // intermediate state (ENROUTE, ACCEPTD): a final receipt follows
    }
    const message = await this.repo.findBySmscId(receipt.smscMessageId);
    if (!message) {
      this.prune();
      this.early.set(receipt.smscMessageId, { receipt, until: Date.now() + this.holdMs });
      return;
    }
    await this.apply(message.id, message.verificationId, receipt);
  }

  /** Called once a submit's SMSC id is stored: applies a receipt that came first. */
  async afterSubmit(messageId: string, verificationId: string, smscMessageId: string): Promise<void> {
    const held = this.early.get(smscMessageId);
    if (held) {
      this.early.delete(smscMessageId);
      await this.apply(messageId, verificationId, held.receipt);
    }
  }

  private async apply(messageId: string, verificationId: string, r: Receipt): Promise<void> {
    if (!r.state) {
      return;
    }
    const error = r.state === 'delivered' ? undefined : `${r.stat}${r.error ? ` err:${r.error}` : ''}`;
    const changed = await this.repo.markFinal(messageId, r.state, error, new Date());
    if (changed) {
      await this.publish({ messageId, verificationId, state: r.state, smscMessageId: r.smscMessageId, error });
      this.logger.info({ messageId, state: r.state }, 'delivery receipt applied');
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
