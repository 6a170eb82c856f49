import type { Channel, ChannelModel, ConsumeMessage } from 'amqplib';
import type { z } from 'zod';
import { isAppError, type SerializedError } from '@outband/errors';
import { invalidMessage } from './amqp-helpers';
import type { BusLogger, ConsumeOptions } from './bus-options';
import { contextOf, failurePlan, parseDelivery, rpcFailure, type DeliveryContext } from './delivery';
import { callerForbidden, untrustedPublisher } from './publisher-check';
import type { Handler } from './message-bus';
import type { SideMessages } from './side-messages';

/** A consumer of a queue, kept by the bus to start again on every new connection. */
export interface ConsumerSpec {
  queue: string;
  schema: z.ZodType;
  handler: Handler<unknown>;
  options: Required<ConsumeOptions>;
  /** RPC consumers answer on `replyTo` instead of retrying. */
  rpc: boolean;
  channel?: Channel;
  tag?: string;
}

/** What running a delivery needs from the bus. */
export interface RunDeps {
  side: SideMessages;
  logger: BusLogger;
}

/** A channel of its own for a consumer, with its prefetch. */
export async function consumerChannel(conn: ChannelModel, spec: ConsumerSpec, logger: BusLogger): Promise<Channel> {
  const ch = await conn.createChannel();
  ch.on('error', (err: Error) => logger.warn({ err, queue: spec.queue }, 'consumer channel error'));
  await ch.prefetch(spec.options.prefetch);
  return ch;
}

/**
 * Runs one delivery to its end on the channel it came on: refused if its publisher is not
 * trusted, else processed, then acked; left for redelivery when the broker or channel fails.
 */
export async function runDelivery(d: RunDeps & { user: string }, ch: Channel, spec: ConsumerSpec, msg: ConsumeMessage): Promise<void> {
  const ctx = contextOf(msg);
  try {
    const untrusted = untrustedPublisher(msg, spec.options.trustedPublishers, d.user);
    if (untrusted === undefined) {
      await processDelivery(d, spec, msg, ctx);
    } else {
      const publisher: unknown = msg.properties.userId;
      d.logger.warn({ queue: spec.queue, publisher, messageId: ctx.messageId }, 'message from an untrusted broker user refused');
      await refuse(d, spec, msg, untrusted, callerForbidden());
    }
    ch.ack(msg);
  } catch (err) {
    // The broker is gone or the channel closed: the unacked message is redelivered later.
    d.logger.warn({ err, queue: spec.queue }, 'message left unacked for redelivery');
    try {
      ch.nack(msg, false, true);
    } catch {
      // channel already closed
    }
  }
}

/** Validates a delivery and runs its handler: a request is answered, work is retried or dead-lettered. */
export async function processDelivery(d: RunDeps, spec: ConsumerSpec, msg: ConsumeMessage, ctx: DeliveryContext): Promise<void> {
  const parsed = parseDelivery(msg, spec.schema);
  if (!parsed.ok) {
    d.logger.warn({ queue: spec.queue, reason: parsed.reason }, 'invalid message dead-lettered');
    await refuse(d, spec, msg, parsed.reason, invalidMessage(parsed.reason));
  } else if (spec.rpc) {
    await runRpc(d, spec, msg, parsed.value, ctx);
  } else {
    await runWork(d, spec, msg, parsed.value, ctx);
  }
}

/** Dead-letters a message that is never to be handled, answering the caller of a request. */
export async function refuse(d: RunDeps, spec: ConsumerSpec, msg: ConsumeMessage, reason: string, error: SerializedError): Promise<void> {
  await d.side.deadLetter(spec.queue, msg, reason);
  if (spec.rpc) {
    d.side.reply(msg, { ok: false, error });
  }
}

async function runWork(d: RunDeps, spec: ConsumerSpec, msg: ConsumeMessage, value: unknown, ctx: DeliveryContext): Promise<void> {
  try {
    await spec.handler(value, ctx);
  } catch (err) {
    const plan = failurePlan(err, ctx.attempt, spec.options);
    if ('deadReason' in plan) {
      d.logger.error({ err, queue: spec.queue, attempt: ctx.attempt }, 'message dead-lettered');
      await d.side.deadLetter(spec.queue, msg, plan.deadReason);
      return;
    }
    d.logger.warn({ err, queue: spec.queue, attempt: ctx.attempt, delayMs: plan.retryInMs }, 'transient failure, retrying later');
    await d.side.retry(spec.queue, msg, ctx.attempt + 1, plan.retryInMs);
  }
}

async function runRpc(d: RunDeps, spec: ConsumerSpec, msg: ConsumeMessage, value: unknown, ctx: DeliveryContext): Promise<void> {
  try {
    const result = await spec.handler(value, ctx);
    d.side.reply(msg, { ok: true, result });
  } catch (err) {
    if (!isAppError(err)) {
      d.logger.error({ err, queue: spec.queue }, 'request failed');
    }
    d.side.reply(msg, { ok: false, error: rpcFailure(err) });
  }
}
