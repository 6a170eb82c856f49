import { AppError } from '@outband/errors';
import type { Logger } from '@outband/observability';
import type { SubmitRepository, SubmitRow } from './submit.repository';
import type { Receipt } from '../smpp/receipt';
import type { PublishStatus } from './status-publisher';

// A receipt given up this often is taken to match nothing (its submit_sm_resp was lost, or it
// names another system's message): acknowledged, so an SMSC resending in order is not held up.
const DROP_AFTER_GIVE_UPS = 3;
// Give-ups counted at most: past it the least recently given up are forgotten (memory stays bounded).
const GIVE_UPS_REMEMBERED = 10_000;
// Longer than SMSCs wait between resends of one receipt, so its give-ups add up.
const GIVE_UPS_FORGOTTEN_AFTER_MS = 3_600_000;

/** What became of a receipt given up: answered an error for the SMSC to resend, or acknowledged. */
export type GiveUpOutcome = 'resend' | 'dropped';

/** How long, and how often, a receipt naming a submit not stored yet looks for it. */
export interface ReceiptTrackerOptions {
  /** How long a receipt waits for its submit, stored by this server or another. @defaultValue 10000 */
  holdMs?: number;
  /** The pause before the first new lookup of a held receipt's submit; each next one doubles. @defaultValue 20 */
  firstLookupMs?: number;
  /** The longest pause between two lookups. @defaultValue 1000 */
  maxLookupMs?: number;
  /** Called for each receipt given up after the hold, with what became of it (metrics). */
  onGivenUp?: (connectionId: string, outcome: GiveUpOutcome) => void;
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
 * A receipt given up `DROP_AFTER_GIVE_UPS` times is acknowledged instead: it would never match.
 */
export class ReceiptTracker {
  // Held receipts by `connection|smsc id`: ids are unique per SMSC only.
  private readonly early = new Map<string, HeldReceipt>();
  private readonly giveUps = new GiveUpCounts();
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
   * receipt answered `ESME_RSYSERR` again later. Resolves, dropping the receipt, once it has been
   * given up `DROP_AFTER_GIVE_UPS` times within the hour.
   */
  async onReceipt(connectionId: string, receipt: Receipt): Promise<void> {
    if (!receipt.state) {
      return; // intermediate state (ENROUTE, ACCEPTD): a final receipt follows
    }
    const key = `${connectionId}|${receipt.smscMessageId}`;
    const row = await this.submits.findBySmscId(connectionId, receipt.smscMessageId);
    if (row) {
      await this.apply(row, receipt);
      this.giveUps.forget(key);
      return;
    }
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
    const giveUps = this.giveUps.add(key, Date.now());
    if (giveUps >= DROP_AFTER_GIVE_UPS) {
      this.o.onGivenUp?.(connectionId, 'dropped');
      this.logger.warn(
        { connectionId, smscMessageId: smscId, giveUps, holdMs: this.holdMs },
        'receipt for an unknown message dropped: no stored submit matched it in any of its holds',
      );
      held.applied(); // acknowledged: the SMSC stops resending it
      return;
    }
    this.o.onGivenUp?.(connectionId, 'resend');
    this.logger.warn(
      { connectionId, smscMessageId: smscId, giveUps, holdMs: this.holdMs },
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
      this.giveUps.forget(key);
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

/** How often each receipt was given up, by `connection|smsc id`, within the hour, and at most so many. */
class GiveUpCounts {
  // Map order is the order of the last give-up: the stalest entries come first.
  private readonly counts = new Map<string, { times: number; at: number }>();

  /** Counts one more give-up of `key`; returns how many it has had. */
  add(key: string, now: number): number {
    const before = this.counts.get(key);
    this.counts.delete(key);
    const times = before && now - before.at < GIVE_UPS_FORGOTTEN_AFTER_MS ? before.times + 1 : 1;
    this.counts.set(key, { times, at: now });
    for (const [k, c] of this.counts) {
      if (this.counts.size <= GIVE_UPS_REMEMBERED && now - c.at < GIVE_UPS_FORGOTTEN_AFTER_MS) {
        break;
      }
      this.counts.delete(k);
    }
    return times;
  }

  forget(key: string): void {
    this.counts.delete(key);
  }
}
