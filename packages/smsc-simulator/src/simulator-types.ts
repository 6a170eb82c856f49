import type { Logger } from '@outband/observability';
import type { SmscBehaviour } from './behaviour';
import type { Inbox } from './inbox';

export interface SmscAccount {
  systemId: string;
  password: string;
  /** Binds the account may hold at once, as an operator's contract says; more are refused (ESME_RBINDFAIL). */
  maxBinds?: number;
  /** Submits per second accepted over all the account's binds; above it, ESME_RTHROTTLED. */
  maxSubmitsPerSecond?: number;
}

export interface SmscSimulatorOptions {
  /** SMPP port; 0 picks a free one. @defaultValue 2775 */
  smppPort?: number;
  /** HTTP port of the inbox API; 0 picks a free one. @defaultValue 8025 */
  httpPort?: number;
  /** @defaultValue '127.0.0.1' */
  host?: string;
  /** Who may bind. */
  accounts: SmscAccount[];
  /** Initial behaviour; `configure` changes it later. */
  behaviour?: Partial<SmscBehaviour>;
  /** The operator's simulated network APIs: each phone of the page gets a "Swap SIM" button there. */
  networkUrl?: string;
  logger: Logger;
}

/** Counters a test or a benchmark reads. */
export interface SmscStats {
  submits: number;
  accepted: number;
  throttled: number;
  windowRefusals: number;
  refused: number;
  silent: number;
  maxOutstanding: number;
  receipts: number;
  /** Receipts sent again: answered with an error, or unanswered when their bind closed. */
  receiptResends: number;
  mo: number;
  bindAttempts: number;
  /** Binds refused because the account already held `maxBinds`. */
  bindsOverLimit: number;
  /** The most binds one account held at once. */
  peakAccountBinds: number;
  /** Submits throttled by the account's own rate (also counted in `throttled`). */
  accountThrottled: number;
  /** The most submits one account had accepted within one second. */
  peakAccountSecond: number;
  binds: number;
}

export interface SmscSimulator {
  smppPort: number;
  httpPort: number;
  inbox: Inbox;
  stats(): SmscStats;
  configure(changes: Partial<SmscBehaviour>): void;
  /** Sends a mobile-originated message (split with UDH when long); resolves to the parts sent. */
  injectMo(mo: { from: string; to: string; text: string }): number;
  /** Closes every SMPP link (the SMSC "drops" them); binds may come back. */
  dropLinks(): void;
  stop(): Promise<void>;
}
