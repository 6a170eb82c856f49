import type { DeliveryAttempt, DeliveryState, MessageStatusV1 } from '@outband/contracts';

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

export function statusEvent(s: Parameters<PublishStatus>[0], at: Date): MessageStatusV1 {
  return {
    type: 'message.status',
    version: 1,
    messageId: s.messageId,
    verificationId: s.verificationId,
    state: s.state,
    ...(s.smscMessageId ? { smscMessageId: s.smscMessageId } : {}),
    ...(s.error ? { error: s.error.slice(0, 200) } : {}),
    ...(s.attempt ? { attempt: s.attempt } : {}),
    at: at.toISOString(),
  };
}
