import type * as amqp from 'amqplib';
import { AppError, type SerializedError } from '@outband/errors';

/** The error a request/reply caller gets for a message that fails its schema. */
export function invalidMessage(reason: string): SerializedError {
  return new AppError('invalid_input', 'INVALID_MESSAGE', reason).toJSON();
}

export function unavailable(message: string, cause?: unknown): AppError {
  return new AppError('unavailable', 'BROKER_UNAVAILABLE', message, { retryable: true, cause });
}

/** The properties of a message published again (retry, dead letter), with extra headers. */
export function copyProperties(
  msg: amqp.ConsumeMessage,
  extra: Record<string, unknown>,
  userId: string,
  expiration?: string,
): amqp.Options.Publish {
  const props = msg.properties;
  return {
    persistent: true,
    contentType: props.contentType as string | undefined,
    messageId: props.messageId as string | undefined,
    timestamp: props.timestamp as number | undefined,
    headers: { ...(props.headers ?? {}), ...extra },
    userId,
    ...(expiration ? { expiration } : {}),
  };
}

/** Whether a publish failed because the broker refused it (a nack), not because its channel died. */
export function isNack(e: unknown): boolean {
  return e instanceof Error && e.message === 'message nacked';
}

export function confirmPublish(
  ch: amqp.ConfirmChannel,
  exchange: string,
  routingKey: string,
  content: Buffer,
  props: amqp.Options.Publish,
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    try {
      ch.publish(exchange, routingKey, content, props, (err) =>
        err ? reject(err instanceof Error ? err : new Error(String(err))) : resolve(),
      );
    } catch (e) {
      reject(e instanceof Error ? e : new Error(String(e)));
    }
  });
}

// A dead TCP link is noticed by heartbeats; 15 s unless the URL sets its own.
export function withHeartbeat(url: string): string {
  const u = new URL(url);
  if (!u.searchParams.has('heartbeat')) {
    u.searchParams.set('heartbeat', '15');
  }
  return u.toString();
}

export function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    p.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e instanceof Error ? e : new Error(String(e)));
      },
    );
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Waits until nothing is in flight (handlers finishing), at most `ms`. */
export async function drained(inFlight: () => number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (inFlight() > 0 && Date.now() < deadline) {
    await sleep(20);
  }
}
