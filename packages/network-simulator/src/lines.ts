/** What the operator knows of one line (a number): when its SIM last changed, whether it was ported. */
export interface Line {
  phoneNumber: string;
  /** When the line's current SIM was activated: its last swap, or the line's first SIM. */
  simActivatedAt: Date;
  /** Whether the SIM changed since the line began (a swap, not the first SIM). */
  swapped: boolean;
  /** When the number last moved to another operator; null: never. */
  portedAt: Date | null;
  /** The network that serves the number now. */
  network: Network;
}

export interface Network {
  name: string;
  mccmnc: string;
}

/** A phone number as the operator and CAMARA write it: E.164 with its +. */
export const e164 = /^\+[1-9][0-9]{4,14}$/;

export const homeNetwork: Network = { name: 'Outband Mobile', mccmnc: '20899' };
const otherNetwork: Network = { name: 'Other Mobile', mccmnc: '20815' };

/** Lines a phone number has never been told about are old, unswapped, unported: every number works. */
const lineAge = 400 * 24 * 3600 * 1000;

/** The simulated operator's lines, changed by its control API (a "SIM swap" button, tests). */
export class Lines {
  private readonly byNumber = new Map<string, Line>();
  private readonly foreign = new Set<string>();

  constructor(private readonly clock: () => Date = () => new Date()) {}

  get(phoneNumber: string): Line {
    return (
      this.byNumber.get(phoneNumber) ?? {
        phoneNumber,
        simActivatedAt: new Date(this.clock().getTime() - lineAge),
        swapped: false,
        portedAt: null,
        network: homeNetwork,
      }
    );
  }

  /** A new SIM for the number (the victim's or a fraudster's): its activation date is `at`. */
  swapSim(phoneNumber: string, at: Date = this.clock()): Line {
    const line = { ...this.get(phoneNumber), simActivatedAt: at, swapped: true };
    this.byNumber.set(phoneNumber, line);
    return line;
  }

  /** The number moved to another operator at `at` (a port-out), with a new SIM there. */
  port(phoneNumber: string, at: Date = this.clock(), network: Network = otherNetwork): Line {
    const line = { ...this.get(phoneNumber), portedAt: at, simActivatedAt: at, swapped: true, network };
    this.byNumber.set(phoneNumber, line);
    return line;
  }

  /** A number this operator does not serve: its APIs cannot answer for it. */
  markForeign(phoneNumber: string): void {
    this.foreign.add(phoneNumber);
  }

  serves(phoneNumber: string): boolean {
    return !this.foreign.has(phoneNumber);
  }

  reset(): void {
    this.byNumber.clear();
    this.foreign.clear();
  }
}
