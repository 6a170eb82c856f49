import { randomUUID } from 'node:crypto';

/** A valid message.status (the bus checks bodies as it publishes) carrying a test's own `n`. */
export function statusWith(n: number) {
  return {
    type: 'message.status' as const,
    version: 1 as const,
    messageId: randomUUID(),
    verificationId: `ve_${'0'.repeat(32)}`,
    state: 'delivered' as const,
    at: new Date().toISOString(),
    n,
  };
}
