/** A message as the simulated handset received it. */
export interface InboxMessage {
  messageId: string;
  from: string;
  to: string;
  text: string;
  dataCoding: number;
  receivedAt: string;
  /** The receipt state sent back to the submitter, once sent. */
  receipt?: string;
}

/** Messages per destination address, newest last; addresses are kept as E.164 with `+`. */
export class Inbox {
  private readonly byAddress = new Map<string, InboxMessage[]>();

  static normalize(address: string): string {
    const digits = address.trim().replace(/^\+/, '');
    return `+${digits}`;
  }

  add(m: InboxMessage): void {
    const key = Inbox.normalize(m.to);
    const list = this.byAddress.get(key) ?? [];
    list.push(m);
    this.byAddress.set(key, list);
  }

  list(address: string): InboxMessage[] {
    return [...(this.byAddress.get(Inbox.normalize(address)) ?? [])];
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
  }
}
