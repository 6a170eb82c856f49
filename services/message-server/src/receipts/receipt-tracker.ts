import type { Logger } from '@outband/observability';
import type { SubmitRepository, SubmitRow } from './submit.repository';
import type { Receipt } from '../smpp/receipt';
import type { PublishStatus } from './status-publisher';

interface HeldReceipt {
  receipt: Receipt;
  applied: () => void;
  failed: (e: unknown) => void;
  timer: NodeJS.Timeout;
}

/**
 * Applies delivery receipts to the parts they name, and reports a message once every part of
 * its attempt is final. A receipt can arrive before its submit_sm_resp has been stored; it then
 * waits here (and its deliver_sm_resp with it) until the submit is stored, so a crash meanwhile
 * leaves the SMSC to send it again instead of losing it.
 */
export class ReceiptTracker {
  // Held receipts by `connection|smsc id`: ids are unique per SMSC only.
  private readonly early = new Map<string, HeldReceipt>();

  constructor(
    private readonly submits: SubmitRepository,
    private readonly publish: PublishStatus,
    private readonly logger: Logger,
    private readonly holdMs = 10_000,
  ) {}

  /** Resolves once the receipt is applied, or dropped as naming no message we sent. */
  async onReceipt(connectionId: string, receipt: Receipt): Promise<void> {
    if (!receipt.state) {
      return; // intermediate state (ENROUTE, ACCEPTD): a final receipt follows
    }
    const row = await this.submits.findBySmscId(connectionId, receipt.smscMessageId);
    if (row) {
      await this.apply(row, receipt);
      return;
    }
    const key = `${connectionId}|${receipt.smscMessageId}`;
    this.early.get(key)?.applied(); // a repeat replaces the receipt held before it
    const held = new Promise<void>((applied, failed) => {
      const timer = setTimeout(() => {
        this.early.delete(key);
        this.logger.warn({ connectionId, smscMessageId: receipt.smscMessageId }, 'receipt for an unknown message dropped');
        applied();
      }, this.holdMs);
      timer.unref(); // a held receipt never keeps a stopping process alive: unanswered, the SMSC resends it
      this.early.set(key, { receipt, applied, failed, timer });
    });
    // The submit may have been stored between the lookup and the hold: look once more.
    await this.release(connectionId, receipt.smscMessageId);
    await held;
  }

  /** Called once submits are stored: applies receipts that came first. */
  async afterSubmit(connectionId: string, smscIds: readonly string[]): Promise<void> {
    for (const id of smscIds) {
      if (this.early.has(`${connectionId}|${id}`)) {
        await this.release(connectionId, id);
      }
    }
  }

  /** Applies a held receipt once its submit is stored; whoever takes it out of `early` applies it. */
  private async release(connectionId: string, smscId: string): Promise<void> {
    const key = `${connectionId}|${smscId}`;
    let row: SubmitRow | undefined;
    try {
      row = await this.submits.findBySmscId(connectionId, smscId);
    } catch (e) {
      this.take(key)?.failed(e); // the SMSC is asked to send the receipt again
      return;
    }
    const held = row ? this.take(key) : undefined;
    if (!row || !held) {
      return;
    }
    try {
      await this.apply(row, held.receipt);
      held.applied();
    } catch (e) {
      held.failed(e);
    }
  }

  private take(key: string): HeldReceipt | undefined {
    const held = this.early.get(key);
    if (held) {
      this.early.delete(key);
      clearTimeout(held.timer);
    }
    return held;
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
}
