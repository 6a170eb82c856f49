import type { z } from 'zod';
import { AppError } from '@outband/errors';
import { dataRpcRequest } from './data-rpc';
import { messageInboundV1, messageSendV1, messageStatus } from './message-events';
import type { BusNames } from './topology';

/** The work queues of `busNames`, by their key there. */
export type BusQueueKey = Extract<keyof BusNames, `${string}Queue`>;

/** One topic of the bus: the schema its messages pass, the version senders write, the queue it lands in. */
export interface BusTopicEntry {
  /** Every version consumers accept (a union while two versions live side by side). */
  schema: z.ZodType;
  /** The version senders write now. */
  version: number;
  /** `event`: published on the events exchange with the topic as routing key; `request`: sent to the queue, answered on the caller's reply queue. */
  kind: 'event' | 'request';
  queue: BusQueueKey;
}

/**
 * Every message the bus carries, by topic. An event's topic is its routing key on the events
 * exchange (unprefixed: only exchanges and queues carry the deployment prefix); the data RPC's
 * topic names its queue, and its answers are replies, not topics.
 */
export const busTopics = {
  'message.send': { schema: messageSendV1, version: 1, kind: 'event', queue: 'messageSendQueue' },
  'message.status': { schema: messageStatus, version: 2, kind: 'event', queue: 'messageStatusQueue' },
  'message.inbound': { schema: messageInboundV1, version: 1, kind: 'event', queue: 'inboundQueue' },
  'data.rpc': { schema: dataRpcRequest, version: 1, kind: 'request', queue: 'dataRpcQueue' },
} as const satisfies Record<string, BusTopicEntry>;

/** A topic of the bus. */
export type BusTopic = keyof typeof busTopics;

/** The topics published on the events exchange (the rest are requests). */
export type BusEvent = { [T in BusTopic]: (typeof busTopics)[T]['kind'] extends 'event' ? T : never }[BusTopic];

/** Each topic's message body, as its schema gives it. */
export type BusTopicBodies = { [T in BusTopic]: z.infer<(typeof busTopics)[T]['schema']> };

/** The message body of one topic. */
export type BusTopicBody<T extends BusTopic> = BusTopicBodies[T];

/** Whether a string names a topic of the bus. */
export function isBusTopic(name: string): name is BusTopic {
  return Object.hasOwn(busTopics, name);
}

/** A schema's refusal in one line: each field's path and what is wrong with it. */
export function describeIssues(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
}

/**
 * Refuses a body its topic's schema does not accept, before it is sent: such a body is a bug of
 * the sender, so the error is internal and never retryable.
 */
export function checkTopicBody(topic: BusTopic, body: unknown): void {
  const result = busTopics[topic].schema.safeParse(body);
  if (!result.success) {
    throw new AppError(
      'internal',
      'BUS_MESSAGE_INVALID',
      `invalid ${topic} message, not sent: ${describeIssues(result.error)}`.slice(0, 1000),
      {
        retryable: false,
      },
    );
  }
}
