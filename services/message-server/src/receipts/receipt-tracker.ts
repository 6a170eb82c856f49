import { AppError } from '@outband/errors';
import type { Logger } from '@outband/observability';
import type { SubmitRepository, SubmitRow } from './submit.repository';
import type { Receipt } from '../smpp/receipt';
import type { PublishStatus } from './status-publisher';

/** How long, and how often, a receipt naming a submit not stored yet looks for it. */
export interface ReceiptTrackerOptions {
  /** How long a receipt waits for its submit, stored by this server or another. @defaultValue 10000 */
  holdMs?: number;
  /** The pause before the first new lookup of a held receipt's submit; each next one doubles. @defaultValue 20 */
  firstLookupMs?: number;
  /** The longest pause between two lookups. @defaultValue 1000 */
  maxLookupMs?: number;
  /** Called for each receipt given up after the hold (metrics). */
  onGivenUp?: (connectionId: string) => void;
}

interface HeldReceipt {
  receipt: Receipt;
  applied: () => void;
  failed: (e: unknown) => void;
  timer: NodeJS.Timeout;
  giveUpAt: number;
}

/**
 * Applies delivery receipts to the parts they name, and reports a message once every part of
 * its attempt is final. A receipt can arrive before its submit_sm_resp has been stored; it then
 * waits here (and its deliver_sm_resp with it) until the submit is stored, so a crash meanwhile
 * leaves the SMSC to send it again instead of losing it. The SMSC may send a receipt to the bind
 * of another server sharing the account: only the database tells when that server has stored
 * the submit, so a held receipt looks it up again, more and more rarely, until the hold ends.
 */
export class ReceiptTracker {
  // Held receipts by `connection|smsc id`: ids are unique per SMSC only.
  private readonly early = new Map<string, HeldReceipt>();
  private readonly holdMs: number;
  private readonly firstLookupMs: number;
  private readonly maxLookupMs: number;

  constructor(
    private readonly submits: SubmitRepository,
    private readonly publish: PublishStatus,
    private readonly logger: Logger,
    private readonly o: ReceiptTrackerOptions = {},
  ) {
    this.holdMs = o.holdMs ?? 10_000;
    this.firstLookupMs = o.firstLookupMs ?? 20;
    this.maxLookupMs = o.maxLookupMs ?? 1000;
  }

  /**
   * Resolves once the receipt is applied. Rejects when applying fails, or when no submit it
   * names is stored within the hold: the SMSC is then answered an error, and SMSCs send a
   * receipt answered `ESME_RSYSERR` again later.
   */
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
    this.take(key)?.applied(); // a repeat replaces the receipt held before it
    const held = new Promise<void>((applied, failed) => {
      const timer = this.lookLater(connectionId, receipt.smscMessageId, this.firstLookupMs);
      this.early.set(key, { receipt, applied, failed, timer, giveUpAt: Date.now() + this.holdMs });
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

  /** Gives up the receipts still held: their binds are closed, so the SMSC sends them again. */
  stop(): void {
    for (const key of [...this.early.keys()]) {
      this.take(key)?.failed(new AppError('unavailable', 'RECEIPT_NOT_APPLIED', 'the message server is stopping', { retryable: true }));
    }
  }

  // A timer never keeps a stopping process alive: a receipt left unanswered is sent again.
  private lookLater(connectionId: string, smscId: string, pauseMs: number): NodeJS.Timeout {
    const timer = setTimeout(() => void this.lookAgain(connectionId, smscId, pauseMs), pauseMs);
    timer.unref();
    return timer;
  }

  /** Looks a held receipt's submit up again; then waits twice as long, or gives up once the hold is over. */
  private async lookAgain(connectionId: string, smscId: string, pauseMs: number): Promise<void> {
    const key = `${connectionId}|${smscId}`;
    const held = this.early.get(key);
    if (!held) {
      return;
    }
    await this.release(connectionId, smscId);
    if (this.early.get(key) !== held) {
      return; // applied, failed, or replaced by a repeat that keeps its own timer
    }
    const left = held.giveUpAt - Date.now();
    if (left > 0) {
      const next = Math.min(pauseMs * 2, this.maxLookupMs, left);
      held.timer = this.lookLater(connectionId, smscId, next);
      return;
    }
    this.take(key);
    this.o.onGivenUp?.(connectionId);
    this.logger.warn(
      { connectionId, smscMessageId: smscId, holdMs: this.holdMs },
      'receipt for an unknown message not applied: the SMSC is asked to send it again',
    );
    held.failed(new AppError('unavailable', 'RECEIPT_SUBMIT_UNKNOWN', `no submit stored for SMSC id ${smscId}`, { retryable: true }));
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
