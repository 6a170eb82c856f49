import type { ConcatInfo } from './decode';

interface Pending {
  parts: Map<number, string>;
  total: number;
  until: number;
}

/**
 * Joins the parts of concatenated messages, keyed by sender, recipient and reference. Parts
 * may arrive in any order; an incomplete message is dropped after `holdMs`.
 */
export class Reassembler {
  private readonly pending = new Map<string, Pending>();

  constructor(private readonly holdMs = 120_000) {}

  /** Returns the whole text once its last part arrives, else undefined. */
  add(from: string, to: string, concat: ConcatInfo | undefined, text: string, now = Date.now()): string | undefined {
    this.prune(now);
    if (!concat || concat.total <= 1) {
      return text;
    }
    const key = `${from}|${to}|${concat.reference}|${concat.total}`;
    const entry = this.pending.get(key) ?? { parts: new Map<number, string>(), total: concat.total, until: now + this.holdMs };
    entry.parts.set(concat.sequence, text);
    this.pending.set(key, entry);
    if (entry.parts.size < entry.total) {
      return undefined;
    }
    this.pending.delete(key);
    return Array.from({ length: entry.total }, (_, i) => entry.parts.get(i + 1) ?? '').join('');
  }

  /** Messages still waiting for parts. */
  get size(): number {
    return this.pending.size;
  }

  private prune(now: number): void {
    for (const [key, entry] of this.pending) {
      if (entry.until < now) {
        this.pending.delete(key);
      }
    }
  }
}
