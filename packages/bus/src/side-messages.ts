import type * as amqp from 'amqplib';
import { confirmPublish, copyProperties, isNack, unavailable } from './amqp-helpers';
import { headers } from './delivery';
import type { ReplyBody } from './pending-replies';
import { sideQueues } from './topology';

/**
 * What a consumer sends besides its handler's own work: the answer to a request, a delayed
 * retry, a dead letter. Each is published by this bus's broker user, whoever published first
 * (the broker checks it).
 */
export class SideMessages {
  constructor(
    private readonly o: {
      user: string;
      deadExchange: string;
      /** The confirm channel once the broker is reachable. */
      channel: () => Promise<amqp.ConfirmChannel>;
      /** The confirm channel now, if any: an answer is not worth waiting for a reconnect. */
      channelNow: () => amqp.ConfirmChannel | undefined;
      /** Replaces a channel the broker nacked (the message comes back and goes on the new one). */
      renew: (nacked: amqp.ConfirmChannel) => Promise<void>;
    },
  ) {}

  /** Answers a request on its `replyTo` queue; a request without one (or no channel) gets none. */
  reply(msg: amqp.ConsumeMessage, body: ReplyBody): void {
    const replyTo = msg.properties.replyTo as string | undefined;
    const ch = this.o.channelNow();
    if (!replyTo || !ch) {
      return;
    }
    ch.publish('', replyTo, Buffer.from(JSON.stringify(body)), {
      correlationId: msg.properties.correlationId as string | undefined,
      contentType: 'application/json',
      userId: this.o.user,
    });
  }

  /** Sends the message to its queue's retry queue, where it waits `delayMs` before coming back. */
  retry(queue: string, msg: amqp.ConsumeMessage, attempt: number, delayMs: number): Promise<void> {
    return this.republish('', sideQueues(queue).retry, msg, { [headers.attempt]: attempt }, String(delayMs));
  }

  /** Sends the message to `<queue>.dead` with the reason. */
  deadLetter(queue: string, msg: amqp.ConsumeMessage, reason: string): Promise<void> {
    return this.republish(this.o.deadExchange, queue, msg, { [headers.deadReason]: reason, [headers.deadFrom]: queue });
  }

  private async republish(
    exchange: string,
    routingKey: string,
    msg: amqp.ConsumeMessage,
    extra: Record<string, unknown>,
    expiration?: string,
  ): Promise<void> {
    const props = copyProperties(msg, extra, this.o.user, expiration);
    const ch = await this.o.channel();
    await confirmPublish(ch, exchange, routingKey, msg.content, props).catch(async (err: unknown) => {
      if (isNack(err)) {
        await this.o.renew(ch);
      }
      throw unavailable('republish was not confirmed', err);
    });
  }
}
