/** A message as the simulated handset shows it (parts already joined). */
export interface InboxMessage {
  /** The SMSC id of each part, in order. */
  messageIds: string[];
  messageId: string;
  from: string;
  to: string;
  text: string;
  dataCoding: number;
  parts: number;
  receivedAt: string;
  /** The receipt state sent back for the last part, once sent. */
  receipt?: string;
}

/** Messages per destination address, newest last; addresses are kept as E.164 with `+`. */
export class Inbox {
  private readonly byAddress = new Map<string, InboxMessage[]>();
  // Each message by the SMSC id of each of its parts: a receipt finds its message at once (a scan
  // of every message made the simulator, not the client, the bottleneck of long benchmarks).
  private readonly byPartId = new Map<string, InboxMessage>();

  static normalize(address: string): string {
    return `+${address.trim().replace(/^\+/, '')}`;
  }

  add(m: InboxMessage): void {
    const key = Inbox.normalize(m.to);
    const list = this.byAddress.get(key) ?? [];
    list.push(m);
    this.byAddress.set(key, list);
    for (const id of m.messageIds) {
      this.byPartId.set(id, m);
    }
  }

  list(address: string): InboxMessage[] {
    return [...(this.byAddress.get(Inbox.normalize(address)) ?? [])];
  }

  /** Marks the message holding part `messageId` with its receipt state. */
  markReceipt(messageId: string, stat: string): void {
    const m = this.byPartId.get(messageId);
    if (m) {
      m.receipt = stat;
    }
  }

  addresses(): string[] {
    return [...this.byAddress.keys()];
  }

  count(): number {
    let n = 0;
    for (const list of this.byAddress.values()) {
      n += list.length;
    }
    return n;
  }

  clear(): void {
    this.byAddress.clear();
    this.byPartId.clear();
  }
}
