import { deliveryAttempt, messageStatusV1, type DeliveryAttempt, type DeliveryState, type MessageStatusV1 } from '@outband/contracts';

/** Reports a message's delivery state to the data server. */
export type PublishStatus = (
  status: {
    messageId: string;
    verificationId: string;
    state: DeliveryState;
    smscMessageId?: string | undefined;
    error?: string | undefined;
    attempt?: DeliveryAttempt | undefined;
  },
  correlationId?: string,
) => Promise<void>;

// The longest error a status body may carry, read from its schema (top level and attempt alike).
const errorMax = Math.min(
  messageStatusV1.shape.error.unwrap().maxLength ?? Infinity,
  deliveryAttempt.shape.error.unwrap().maxLength ?? Infinity,
);

/**
 * An error as a status body may carry it: shortened to the schema's limit, since the bus refuses
 * a longer one and the report (and the send that makes it) would fail for a wordy SMSC.
 */
export function statusError(error: string): string {
  if (error.length <= errorMax) {
    return error;
  }
  const cut = error.slice(0, errorMax);
  // Do not leave half of a surrogate pair at the end.
  return /[\uD800-\uDBFF]$/.test(cut) ? cut.slice(0, -1) : cut;
}

/** The `message.status` event of a status report. */
export function statusEvent(s: Parameters<PublishStatus>[0], at: Date): MessageStatusV1 {
  return {
    type: 'message.status',
    version: 1,
    messageId: s.messageId,
    verificationId: s.verificationId,
    state: s.state,
    ...(s.smscMessageId ? { smscMessageId: s.smscMessageId } : {}),
    ...(s.error ? { error: statusError(s.error) } : {}),
    ...(s.attempt ? { attempt: s.attempt } : {}),
    at: at.toISOString(),
  };
}
