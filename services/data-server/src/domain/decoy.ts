import { createHmac, randomBytes } from 'node:crypto';
import { getExampleNumber, type CountryCode } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/mobile/examples';
import type { DeliveryState } from '@outband/contracts';
import { maskAddress } from './mask-address';

/**
 * No enumeration (OWASP ASVS V2.2, issue 5): an identifier with no active subscriber gets a
 * decoy verification, answered like a real one, so neither the merchant nor whoever types
 * identifiers into its page learns who subscribes. Nothing is sent and no code approves it.
 * The same identifier always shows the same masked address, as a real subscriber would.
 */
export function decoyOf(key: Buffer, identifier: string): string {
  return createHmac('sha256', key).update(`decoy\0${identifier}`).digest('hex').slice(0, 32);
}

/** A masked address of `country`'s mobile format whose last digits come from the decoy hash. */
export function decoyAddress(decoy: string, country: CountryCode): string {
  const example = getExampleNumber(country, examples);
  if (!example) {
    return maskAddress(`+3361234${decoy.slice(0, 4).replace(/[a-f]/g, '0')}`);
  }
  const tail = String(parseInt(decoy.slice(0, 8), 16) % 100).padStart(2, '0');
  return maskAddress(`${example.number.slice(0, -2)}${tail}`);
}

/** A value no typed code can match: the decoy's pending MAC is made from it. */
export function unmatchableCode(): string {
  return randomBytes(32).toString('hex');
}

/**
 * The delivery a decoy reports: queued, as every code is when its verification starts. What
 * happens next (receipts, `message.*` webhooks, the bill) is the merchant's own record of what
 * it pays for, so there a decoy shows as what it is: nothing was sent.
 */
export function decoyDelivery(startedAt: Date): { state: DeliveryState; updatedAt: Date; error: null } {
  return { state: 'queued', updatedAt: startedAt, error: null };
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
