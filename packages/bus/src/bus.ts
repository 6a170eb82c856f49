import { randomUUID } from 'node:crypto';
import * as amqp from 'amqplib';
import type { z } from 'zod';
import type { BusEvent, BusTopicBody } from '@outband/contracts';
import { AppError, isAppError } from '@outband/errors';
import { BrokerNodes, brokerUrls, nodeOf } from './broker-urls';
import { ensureTopology } from './ensure-topology';
import { consumerChannel, runDelivery, type ConsumerSpec, type RunDeps } from './consumer-run';
import { brokerUserOf } from './publisher-check';
import { confirmPublish, drained, isNack, sleep, unavailable, withHeartbeat, withTimeout } from './amqp-helpers';
import { PendingReplies } from './pending-replies';
import { SideMessages } from './side-messages';
import { withDefaults, type BusOptions, type ConsumeOptions, type PublishOptions } from './bus-options';
import { headers } from './delivery';
import type { Handler, MessageBus } from './message-bus';
import { checkedPublish, type PublishArgs } from './topic-check';

const replyQueue = 'amq.rabbitmq.reply-to';

/**
 * The amqplib layer: declares the topology, publishes persistent messages with confirms,
 * consumes with manual acks, validation and bounded delayed retries, runs request/reply, and
 * reconnects after a broker restart, or to another node of a cluster when its node goes away
 * (unacked work is redelivered by the broker).
 */
export class Bus implements MessageBus {
  private conn: amqp.ChannelModel | undefined;
  private pub: amqp.ConfirmChannel | undefined;
  private renewing: Promise<void> | undefined;
  private readonly consumers: ConsumerSpec[] = [];
  private readonly pending = new PendingReplies();
  private inFlight = 0;
  private closing = false;
  // After stopConsuming, a reconnect must not start the consumers again.
  private stopped = false;
  private readyWaiters: Array<() => void> = [];
  private reconnectAttempt = 0;
  private readonly opts: Required<Omit<BusOptions, 'connectionName'>> & { connectionName: string };
  /** Stamped as `user_id` on everything this bus publishes; the broker vouches for it. */
  private readonly user: string;
  private readonly side: SideMessages;
  /** What running a delivery needs. */
  private readonly run: RunDeps & { user: string };
  /** The broker, or the nodes of a cluster, tried in turn. */
  private readonly nodes: BrokerNodes;

  private constructor(options: BusOptions) {
    this.opts = {
      queueType: 'classic',
      publishTimeoutMs: 10_000,
      connectTimeoutMs: 60_000,
      connectionName: 'outband',
      ...options,
    };
    this.nodes = new BrokerNodes(brokerUrls(options.url));
    this.user = brokerUserOf(this.nodes.urls[0] ?? '');
    this.side = new SideMessages({
      user: this.user,
      deadExchange: this.opts.names.deadExchange,
      channel: () => this.channelWhenReady(),
      channelNow: () => this.pub,
      renew: (nacked) => this.renewPublishChannel(nacked),
    });
    this.run = { side: this.side, logger: this.opts.logger, user: this.user };
  }

  /** Connects (retrying until `connectTimeoutMs`, unless no retry can help) and declares the topology. */
  static async connect(options: BusOptions): Promise<Bus> {
    const bus = new Bus(options);
    const deadline = Date.now() + bus.opts.connectTimeoutMs;
    for (;;) {
      try {
        await bus.establish();
        return bus;
      } catch (e) {
        if (isAppError(e) && !e.retryable) {
          throw e;
        }
        if (Date.now() > deadline) {
          throw new AppError('unavailable', 'BROKER_UNREACHABLE', `cannot reach the broker: ${(e as Error).message}`, { cause: e });
        }
        bus.opts.logger.warn({ err: e }, 'broker not reachable yet, retrying');
        await sleep(500);
      }
    }
  }

  get connected(): boolean {
    return this.pub !== undefined;
  }

  /**
   * Publishes a persistent JSON message and resolves once the broker confirmed it. When the link
   * drops before the confirm, it is published again once reconnected (at-least-once: consumers
   * dedupe by message id). A body its topic's schema refuses is an error here, never sent.
   */
  publish(exchange: string, routingKey: string, body: object, options?: PublishOptions): Promise<void>;
  publish<T extends BusEvent>(topic: T, body: BusTopicBody<T>, options?: PublishOptions): Promise<void>;
  async publish(...args: PublishArgs): Promise<void> {
    const { exchange, routingKey, body, options } = checkedPublish(this.opts.names, args);
    const content = Buffer.from(JSON.stringify(body));
    const props: amqp.Options.Publish = {
      persistent: true,
      contentType: 'application/json',
      messageId: options.messageId ?? randomUUID(),
      userId: this.user,
      timestamp: Math.floor(Date.now() / 1000),
      headers: options.correlationId ? { [headers.correlation]: options.correlationId } : {},
    };
    for (let attempt = 0; ; attempt++) {
      const ch = await this.channelWhenReady();
      try {
        await withTimeout(confirmPublish(ch, exchange, routingKey, content, props), this.opts.publishTimeoutMs);
        return;
      } catch (e) {
        if (attempt >= 1) {
          throw unavailable('publish was not confirmed by the broker', e);
        }
        // A nack is the broker's answer, asked once more on a new channel; anything else means
        // the channel died under us.
        await (isNack(e) ? this.renewPublishChannel(ch) : this.waitUntilChannelChanges(ch));
      }
    }
  }

  /** Consumes a work queue: ack on success, delayed retry on a transient error, dead-letter otherwise. */
  async consume<S extends z.ZodType>(queue: string, schema: S, handler: Handler<z.infer<S>>, options: ConsumeOptions = {}): Promise<void> {
    await this.addConsumer({ queue, schema, handler: handler as Handler<unknown>, options: withDefaults(options), rpc: false });
  }

  /** Serves request/reply on a queue: the handler's result (or AppError) is the reply. */
  async serve<S extends z.ZodType>(queue: string, schema: S, handler: Handler<z.infer<S>>, options: ConsumeOptions = {}): Promise<void> {
    await this.addConsumer({ queue, schema, handler: handler as Handler<unknown>, options: withDefaults(options), rpc: true });
  }

  /**
   * Sends a request and waits for its reply. The request expires in the queue when the caller
   * has stopped waiting, so no server works for nobody.
   */
  async request(queue: string, body: object, timeoutMs: number, correlationId?: string, repeatOf?: string): Promise<unknown> {
    // The caller's bound covers waiting for a reconnect too.
    const ch = await this.channelWhenReady(timeoutMs);
    const id = randomUUID();
    const reply = this.pending.wait(id, timeoutMs, queue);
    // The id is also the message id: a server that sees it again (a redelivery) can answer from what it did.
    const props: amqp.Options.Publish = {
      replyTo: replyQueue,
      correlationId: id,
      messageId: repeatOf ?? id,
      userId: this.user,
      expiration: String(timeoutMs),
      contentType: 'application/json',
      headers: { ...(correlationId ? { [headers.correlation]: correlationId } : {}), ...(repeatOf ? { [headers.repeatable]: 1 } : {}) },
    };
    ch.publish('', queue, Buffer.from(JSON.stringify(body)), props, (err) => {
      // Refused by the broker: no server will answer, so the caller learns it now.
      if (isNack(err)) {
        this.pending.fail(id, unavailable('request was not taken by the broker'));
        void this.renewPublishChannel(ch);
      }
    });
    return reply;
  }

  /**
   * Stops taking messages and lets in-flight handlers finish (bounded); publishing still works,
   * so a service can flush what it owes before `close`. Unfinished messages are redelivered.
   */
  async stopConsuming(drainMs = 5000): Promise<void> {
    this.stopped = true;
    for (const c of this.consumers) {
      if (this.conn && c.channel && c.tag) {
        await withTimeout(c.channel.cancel(c.tag), 1000).catch(() => undefined);
      }
    }
    await drained(() => this.inFlight, drainMs);
  }

  /**
   * Takes messages again after `stopConsuming`, on each consumer's own channel (its handlers
   * still running ack there); a channel lost meanwhile is replaced.
   */
  async resumeConsuming(): Promise<void> {
    if (!this.stopped || this.closing) {
      return;
    }
    this.stopped = false;
    for (const spec of this.consumers) {
      const ch = spec.channel;
      const again = ch
        ? await this.consumeOn(ch, spec).then(
            () => true,
            () => false,
          )
        : false;
      if (!again) {
        await this.startConsumer(spec);
      }
    }
  }

  /** Stops consuming (if not done yet), then closes the connection. */
  async close(drainMs = 5000): Promise<void> {
    if (!this.stopped) {
      await this.stopConsuming(drainMs);
    }
    this.closing = true;
    const conn = this.conn;
    this.pending.rejectAll('bus closed');
    this.conn = undefined;
    this.pub = undefined;
    if (conn) {
      await withTimeout(conn.close(), 2000).catch(() => undefined);
    }
  }

  /** A plain channel on the current connection, for inspections such as passive declares. */
  async inspectionChannel(): Promise<amqp.Channel> {
    if (!this.conn) {
      throw unavailable('broker unavailable');
    }
    const ch = await this.conn.createChannel();
    ch.on('error', () => undefined); // a failed passive declare closes it: the caller opens another
    return ch;
  }

  /** Connects to the next node and sets everything up on it; answers the node (`host:port`). */
  private async establish(): Promise<string> {
    const url = this.nodes.take();
    const broker = nodeOf(url);
    // noDelay: amqplib leaves Nagle on, and a publish is several small frames: each waited for the
    // broker's delayed ACK (40 ms per request/reply hop).
    const conn = await amqp.connect(withHeartbeat(url), {
      noDelay: true,
      clientProperties: { connection_name: this.opts.connectionName },
    });
    if (this.closing) {
      await conn.close().catch(() => undefined);
      return broker;
    }
    try {
      conn.on('error', (err: Error) => this.opts.logger.warn({ err }, 'broker connection error'));
      const pub = await this.openPublishChannel(conn);
      const topology = await ensureTopology(conn, this.opts.names, this.opts.queueType);
      this.opts.logger.info(
        { topology, broker },
        topology === 'declared' ? 'bus topology declared' : 'bus topology checked (declared by the data server)',
      );
      this.conn = conn;
      this.pub = pub;
      for (const spec of this.stopped ? [] : this.consumers) {
        await this.startConsumer(spec);
      }
      conn.on('close', () => this.onConnectionLost(conn, broker));
    } catch (e) {
      this.conn = undefined;
      this.pub = undefined;
      await conn.close().catch(() => undefined);
      throw e;
    }
    this.reconnectAttempt = 0;
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    waiters.forEach((w) => w());
    return broker;
  }

  /** The confirm channel that publishes, and takes the replies to this bus's requests. */
  private async openPublishChannel(conn: amqp.ChannelModel): Promise<amqp.ConfirmChannel> {
    const pub = await conn.createConfirmChannel();
    pub.on('error', (err: Error) => this.opts.logger.warn({ err }, 'publish channel error'));
    await pub.consume(replyQueue, (msg) => msg && this.pending.settle(msg), { noAck: true });
    return pub;
  }

  /**
   * Puts a new publish channel in place of one the broker nacked. RabbitMQ (3.10) may nack every
   * later publish of a channel that first published to a quorum queue while the queue had no
   * leader (its node had just gone away), long after a leader was elected; a new channel
   * publishes again. Requests waiting for replies on the old channel fail, retryable.
   */
  private renewPublishChannel(nacked: amqp.ConfirmChannel): Promise<void> {
    const conn = this.conn;
    if (this.pub !== nacked || !conn) {
      return this.renewing ?? Promise.resolve();
    }
    this.renewing ??= this.openPublishChannel(conn)
      .then(async (pub) => {
        if (this.conn !== conn || this.pub !== nacked) {
          await pub.close(); // the connection was lost meanwhile: the reconnect opened its own
          return;
        }
        this.pub = pub;
        this.pending.rejectAll('publish channel renewed before the reply');
        this.opts.logger.warn({}, 'publish channel renewed after a nack');
        await nacked.close();
      })
      .catch(() => undefined) // the connection is going away: the reconnect opens a new channel
      .finally(() => (this.renewing = undefined));
    return this.renewing;
  }

  private onConnectionLost(conn: amqp.ChannelModel, broker: string): void {
    if (this.conn !== conn) {
      return;
    }
    this.conn = undefined;
    this.pub = undefined;
    this.pending.rejectAll('broker connection lost before the reply');
    if (this.closing) {
      return;
    }
    this.opts.logger.warn({ broker }, 'broker connection lost, reconnecting');
    void this.reconnect();
  }

  private async reconnect(): Promise<void> {
    while (!this.closing && !this.conn) {
      const delay = Math.min(10_000, 200 * 2 ** this.reconnectAttempt) * (0.5 + Math.random() / 2);
      this.reconnectAttempt += 1;
      await sleep(delay);
      try {
        const broker = await this.establish();
        this.opts.logger.info({ broker }, 'broker connection restored');
      } catch (err) {
        // Queues of the other type (recreated while we were away) need an operator: say so loudly.
        const level = isAppError(err) && !err.retryable ? 'error' : 'warn';
        this.opts.logger[level]({ err, attempt: this.reconnectAttempt }, 'broker reconnect failed');
      }
    }
  }

  private async channelWhenReady(waitMs = this.opts.publishTimeoutMs): Promise<amqp.ConfirmChannel> {
    if (this.pub) {
      return this.pub;
    }
    if (this.closing) {
      throw unavailable('bus closed');
    }
    await new Promise<void>((resolve, reject) => {
      const waiter = () => {
        clearTimeout(timer);
        resolve();
      };
      const timer = setTimeout(() => {
        // A caller that gave up leaves no waiter behind while the broker stays away.
        this.readyWaiters = this.readyWaiters.filter((w) => w !== waiter);
        reject(unavailable('broker unavailable'));
      }, waitMs);
      this.readyWaiters.push(waiter);
    });
    if (!this.pub) {
      throw unavailable('broker unavailable');
    }
    return this.pub;
  }

  private async waitUntilChannelChanges(old: amqp.ConfirmChannel): Promise<void> {
    const deadline = Date.now() + this.opts.publishTimeoutMs;
    while (this.pub === old && Date.now() < deadline && !this.closing) {
      await sleep(20);
    }
  }

  private async addConsumer(spec: ConsumerSpec): Promise<void> {
    this.consumers.push(spec);
    if (this.conn) {
      await this.startConsumer(spec);
    }
  }

  private async startConsumer(spec: ConsumerSpec): Promise<void> {
    if (!this.conn) {
      return;
    }
    await this.consumeOn(await consumerChannel(this.conn, spec, this.opts.logger), spec);
  }

  private async consumeOn(ch: amqp.Channel, spec: ConsumerSpec): Promise<void> {
    const ok = await ch.consume(spec.queue, (msg) => {
      if (msg) {
        this.inFlight += 1;
        void runDelivery(this.run, ch, spec, msg).finally(() => (this.inFlight -= 1));
      }
    });
    spec.channel = ch;
    spec.tag = ok.consumerTag;
  }
}
