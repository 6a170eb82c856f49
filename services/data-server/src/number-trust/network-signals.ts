/**
 * What an operator's network can say about a number before a code goes to it: the signals of
 * SIM-swap and port-out fraud, where someone else now receives the number's texts.
 */
export interface NetworkSignals {
  /**
   * Whether the number's SIM changed within the last `maxAgeHours` (CAMARA SIM Swap `check`);
   * undefined: the network cannot tell for this number (not its subscriber …). Throws when the API fails.
   */
  simSwapped?: (phoneNumber: string, maxAgeHours: number, signal: AbortSignal) => Promise<boolean | undefined>;
  /** When the number last moved to another operator; null: never; undefined: cannot tell (an HLR/MNP lookup). */
  portedAt?: (phoneNumber: string, signal: AbortSignal) => Promise<Date | null | undefined>;
}

/** A network API that answered something other than what was asked (its status and code). */
export class NetworkApiError extends Error {
  constructor(
    readonly api: string,
    readonly status: number,
    readonly code: string,
  ) {
    super(`${api} answered ${status} ${code}`);
  }
}
