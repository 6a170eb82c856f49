import {
  deliveryAttempt,
  messageStatusReport,
  messageStatusV1,
  type DeliveryAttempt,
  type DeliveryState,
  type MessageStatus,
  type MessageStatusReport,
  type MessageStatusV1,
} from '@outband/contracts';
import { Batcher } from '@outband/db';

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

/** One report, as both versions of `message.status` carry it (v1 alone, v2 in a batch). */
function reportOf(s: Parameters<PublishStatus>[0], at: Date): Omit<MessageStatusV1, 'type' | 'version'> {
  return {
    messageId: s.messageId,
    verificationId: s.verificationId,
    state: s.state,
    ...(s.smscMessageId ? { smscMessageId: s.smscMessageId } : {}),
    ...(s.error ? { error: statusError(s.error) } : {}),
    ...(s.attempt ? { attempt: s.attempt } : {}),
    at: at.toISOString(),
  };
}

/** The `message.status` event (version 1) of a status report. */
export function statusEvent(s: Parameters<PublishStatus>[0], at: Date): MessageStatusV1 {
  return { type: 'message.status', version: 1, ...reportOf(s, at) };
}

const correlationMax = messageStatusReport.shape.correlationId.unwrap().maxLength ?? 0;

/** One report as `message.status` version 2 carries it. */
function statusReport(s: Parameters<PublishStatus>[0], at: Date, correlationId: string | undefined): MessageStatusReport {
  return {
    ...reportOf(s, at),
    // Only for the logs: one that would not fit must not sink the batch it travels in.
    ...(correlationId && correlationId.length <= correlationMax ? { correlationId } : {}),
  };
}

/**
 * Reports delivery states. Version 2 (the default) sends the reports of one moment as one
 * `message.status`, a few batches in flight at once so that their confirms overlap: one
 * persistent message, one confirm and one ack for many reports. Version 1 sends each alone, as a
 * data server of the previous release reads them (`MESSAGE_STATUS_VERSION`).
 */
export function statusPublisher(
  version: 1 | 2,
  publish: (body: MessageStatus, correlationId: string | undefined) => Promise<void>,
  clock: () => Date = () => new Date(),
): PublishStatus {
  if (version === 1) {
    return (status, correlationId) => publish(statusEvent(status, clock()), correlationId);
  }
  const batches = new Batcher<MessageStatusReport, undefined>(
    async (reports) => {
      await publish({ type: 'message.status', version: 2, reports }, undefined);
      return reports.map(() => undefined);
    },
    100,
    4,
  );
  return (status, correlationId) => batches.add(statusReport(status, clock(), correlationId));
}
