import type { ReceiptBinds } from './behaviour';

/**
 * The bind a receipt goes to, among `receivers` (the account's binds that can receive, oldest
 * first); `turn` counts the receipts sent so far, for `round-robin`. Undefined when none can.
 */
export function receiptBind<S>(receivers: readonly S[], submitter: S | undefined, mode: ReceiptBinds, turn: number): S | undefined {
  switch (mode) {
    case 'first':
      return receivers[0];
    case 'submitter':
      return receivers.find((r) => r === submitter) ?? receivers[0];
    case 'other':
      return receivers.find((r) => r !== submitter) ?? receivers[0];
    case 'round-robin':
      return receivers.length > 0 ? receivers[turn % receivers.length] : undefined;
  }
}
