import { AppError } from '@outband/errors';
import type { QueueType } from './topology';

/**
 * The error to fail start-up with when the broker refuses a declare because the queue exists with
 * another type (`QUEUE_TYPE` changed on a running deployment); undefined for any other error.
 * Retrying cannot help: a queue's type never changes in place.
 */
export function queueTypeMismatch(e: unknown, wanted: QueueType): AppError | undefined {
  const message = e instanceof Error ? e.message : '';
  // RabbitMQ: "PRECONDITION_FAILED - inequivalent arg 'x-queue-type' for queue 'q' in vhost 'v':
  // received 'quorum' but current is 'classic'" (or "received the value 'quorum' of type 'longstr'
  // but current is none" for a queue declared without the argument).
  if ((e as { code?: unknown } | null)?.code !== 406 || !message.includes("inequivalent arg 'x-queue-type'")) {
    return undefined;
  }
  const queue = /for queue '([^']*)'/.exec(message)?.[1] ?? '(unnamed)';
  const current = /current is (?:the value )?'([^']*)'/.exec(message)?.[1] ?? 'classic';
  return new AppError(
    'invalid_input',
    'CONFIG_INVALID',
    `queue '${queue}' is a ${current} queue but QUEUE_TYPE is ${wanted}, and RabbitMQ cannot change a queue's type in place: ` +
      `keep QUEUE_TYPE=${current}, or drain the queues, delete them and start again with QUEUE_TYPE=${wanted} ` +
      `(docs/operations.md, "Switching the queue type")`,
    { cause: e },
  );
}
