import { createHmac, randomBytes } from 'node:crypto';
import type { DeliveryState } from '@outband/contracts';

/**
 * No enumeration (OWASP ASVS V2.2, issue 5): an identifier with no active subscriber gets a
 * decoy verification, answered like a real one, so neither the merchant nor whoever types
 * identifiers into its page learns who subscribes. Nothing is sent and no code approves it.
 * The same identifier always shows the same masked address, as a real subscriber would.
 */
export function decoyOf(key: Buffer, identifier: string): string {
  return createHmac('sha256', key).update(`decoy\0${identifier}`).digest('hex').slice(0, 32);
}

/** A value no typed code can match: the decoy's pending MAC is made from it. */
export function unmatchableCode(): string {
  return randomBytes(32).toString('hex');
}

/** From the start to the SMSC's submit_sm_resp: the outbox relay, the broker, one round trip. */
export const decoySubmitMs = { min: 40, spread: 400 } as const;
/** From the submit to the handset's receipt. */
export const decoyReceiptMs = { min: 800, spread: 4000 } as const;

/**
 * The delivery a decoy reports, as it stands at `now`: queued, then submitted, then delivered,
 * after delays drawn from the decoy hash within what real deliveries take, so reading it over
 * time follows the path a real code's report does. Nothing was sent: the merchant is not billed
 * for it (only approvals and captures are) and no `message.*` webhook is emitted.
 */
export function decoyDelivery(decoy: string, startedAt: Date, now: Date): { state: DeliveryState; updatedAt: Date; error: null } {
  const submittedAfter = decoySubmitMs.min + (parseInt(decoy.slice(8, 12) || '0', 16) % decoySubmitMs.spread);
  const deliveredAfter = submittedAfter + decoyReceiptMs.min + (parseInt(decoy.slice(12, 16) || '0', 16) % decoyReceiptMs.spread);
  const elapsed = now.getTime() - startedAt.getTime();
  const [state, after]: [DeliveryState, number] =
    elapsed >= deliveredAfter ? ['delivered', deliveredAfter] : elapsed >= submittedAfter ? ['submitted', submittedAfter] : ['queued', 0];
  return { state, updatedAt: new Date(startedAt.getTime() + after), error: null };
}

/**
 * Timing tells nothing either: a real start spends time on work a decoy skips (number checks,
 * the certificate, the broker), so a decoy waits until it has taken as long as real starts take
 * on average (a moving average of the recent ones).
 */
export class DecoyPacing {
  private averageMs = 0;

  /** Records how long a real start took. */
  real(elapsedMs: number): void {
    this.averageMs = this.averageMs === 0 ? elapsedMs : this.averageMs * 0.9 + elapsedMs * 0.1;
  }

  /** Waits out the rest of an average real start. */
  async pad(elapsedMs: number): Promise<void> {
    const rest = this.averageMs - elapsedMs;
    if (rest >= 1) {
      await new Promise((resolve) => setTimeout(resolve, rest));
    }
  }
}
