import { randomUUID } from 'node:crypto';
import type { z } from 'zod';
import type { BusEvent, BusNames, BusTopicBody } from '@outband/contracts';
import { isAppError } from '@outband/errors';
import { drained, invalidMessage, unavailable } from './amqp-helpers';
import { withDefaults, type BusLogger, type ConsumeOptions, type PublishOptions } from './bus-options';
import { failurePlan, parseBody, rpcFailure, type DeliveryContext } from './delivery';
import type { Handler, MessageBus } from './message-bus';
import { PendingReplies, type ReplyBody } from './pending-replies';
import { checkedPublish, type PublishArgs } from './topic-check';
import { sideQueues, topologyOf } from './topology';

/** One message in a queue: its JSON text and what the AMQP properties would carry. */
interface Envelope {
  text: string;
  messageId: string;
  correlationId: string | undefined;
  attempt: number;
  /** For a request: where its reply goes. */
  replyTo?: (body: ReplyBody) => void;
  /** For a request: the caller stops waiting then, so the request is dropped unserved. */
  expiresAt?: number;
  /** Why it was dead-lettered (dead queues only). */
  deadReason?: string;
  /** A request that may have been sent before under this message id. */
  repeatable?: boolean;
}

interface Consumer {
  owner: MemoryBus;
  prefetch: number;
  inFlight: number;
  deliver: (e: Envelope) => Promise<void>;
}

interface Queue {
  messages: Envelope[];
  consumers: Consumer[];
  next: number;
}

/**
 * The in-process broker of the embedded default: Outband's topology (work queues, their dead
 * letters, the events exchange's bindings) in memory, shared by the services of one process, each
 * with its own `MemoryBus` as if it had its own connection. Nothing survives the process: the
 * embedded default is for a laptop, not for production.
 */
export class MemoryBroker {
  private readonly queues = new Map<string, Queue>();
  private readonly bindings: Map<string, string[]>;

  constructor(readonly names: BusNames) {
    const { workQueues, bindings } = topologyOf(names);
    for (const q of workQueues) {
      this.queue(q);
      this.queue(sideQueues(q).dead);
    }
    this.bindings = new Map();
    for (const b of bindings) {
      this.bindings.set(b.routingKey, [...(this.bindings.get(b.routingKey) ?? []), b.queue]);
    }
  }

  /** A bus for one service (its consumers, its in-flight work, its close). */
  connect(logger: BusLogger): MemoryBus {
    return new MemoryBus(this, logger);
  }

  /** Messages waiting in a queue (dead-letter queues included). */
  depth(queue: string): number {
    return this.queues.get(queue)?.messages.length ?? 0;
  }

  /**
   * Ready messages and consumers of each queue that exists here (the queue metrics of the embedded
   * default, as passive declares give them on RabbitMQ). Retries wait on a timer, not in a queue.
   */
  readings(queues: readonly string[]): Array<{ queue: string; ready: number; consumers: number }> {
    return queues.flatMap((queue) => {
      const q = this.queues.get(queue);
      return q ? [{ queue, ready: q.messages.length, consumers: q.consumers.length }] : [];
    });
  }

  /** Takes the dead letters of a work queue out, with their reasons. */
  takeDeadLetters(queue: string): Array<{ text: string; reason: string | undefined }> {
    const dead = this.queue(sideQueues(queue).dead);
    return dead.messages.splice(0).map((e) => ({ text: e.text, reason: e.deadReason }));
  }

  /** Puts any text on a queue, as a broken or hostile publisher would (poison messages). */
  sendRaw(queue: string, text: string): void {
    this.enqueue(queue, { text, messageId: randomUUID(), correlationId: undefined, attempt: 0 });
  }

  /** Empties a queue (tests). */
  purge(queue: string): void {
    this.queue(queue).messages.length = 0;
  }

  route(exchange: string, routingKey: string): string[] {
    if (exchange === '') {
      return this.queues.has(routingKey) ? [routingKey] : [];
    }
    if (exchange === this.names.eventsExchange) {
      return this.bindings.get(routingKey) ?? [];
    }
    if (exchange === this.names.deadExchange) {
      return [sideQueues(routingKey).dead];
    }
    return [];
  }

  enqueue(queue: string, e: Envelope): void {
    this.queue(queue).messages.push(e);
    this.dispatch(queue);
  }

  addConsumer(queue: string, c: Consumer): void {
    this.queue(queue).consumers.push(c);
    this.dispatch(queue);
  }

  /** Takes away the consumers of `owner`, and answers them with their queues (to add them back). */
  removeConsumers(owner: MemoryBus): Array<{ queue: string; consumer: Consumer }> {
    const removed: Array<{ queue: string; consumer: Consumer }> = [];
    for (const [queue, q] of this.queues) {
      removed.push(...q.consumers.filter((c) => c.owner === owner).map((consumer) => ({ queue, consumer })));
      q.consumers = q.consumers.filter((c) => c.owner !== owner);
    }
    return removed;
  }

  /** Hands waiting messages to consumers with room under their prefetch, in turn. */
  private dispatch(name: string): void {
    const q = this.queue(name);
    while (q.messages.length > 0) {
      const ready = q.consumers.filter((c) => c.inFlight < c.prefetch);
      if (ready.length === 0) {
        return;
      }
      const c = ready[q.next++ % ready.length]!;
      const e = q.messages.shift()!;
      if (e.expiresAt !== undefined && e.expiresAt < Date.now()) {
        continue; // a request nobody waits for any more
      }
      c.inFlight += 1;
      // Later, never inside the publisher's call: a broker delivers asynchronously.
      setImmediate(() => {
        void c.deliver(e).finally(() => {
          c.inFlight -= 1;
          this.dispatch(name);
        });
      });
    }
  }

  private queue(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = { messages: [], consumers: [], next: 0 };
      this.queues.set(name, q);
    }
    return q;
  }
}

/** A service's view of the in-process broker, with the semantics of `Bus`. */
export class MemoryBus implements MessageBus {
  private readonly pending = new PendingReplies();
  private inFlight = 0;
  private closed = false;
  private stopped = false;
  // Consumers taken away by `stopConsuming`, for `resumeConsuming`.
  private readonly removed: Array<{ queue: string; consumer: Consumer }> = [];

  constructor(
    private readonly broker: MemoryBroker,
    private readonly logger: BusLogger,
  ) {}

  get connected(): boolean {
    return !this.closed;
  }

  publish(exchange: string, routingKey: string, body: object, options?: PublishOptions): Promise<void>;
  publish<T extends BusEvent>(topic: T, body: BusTopicBody<T>, options?: PublishOptions): Promise<void>;
  publish(...args: PublishArgs): Promise<void> {
    let checked: ReturnType<typeof checkedPublish>;
    try {
      checked = checkedPublish(this.broker.names, args);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    if (this.closed) {
      return Promise.reject(unavailable('bus closed'));
    }
    const { exchange, routingKey, body, options } = checked;
    const e: Envelope = {
      text: JSON.stringify(body),
      messageId: options.messageId ?? randomUUID(),
      correlationId: options.correlationId,
      attempt: 0,
    };
    for (const queue of this.broker.route(exchange, routingKey)) {
      this.broker.enqueue(queue, { ...e });
    }
    return Promise.resolve();
  }

  async consume<S extends z.ZodType>(queue: string, schema: S, handler: Handler<z.infer<S>>, options: ConsumeOptions = {}): Promise<void> {
    await this.addConsumer(queue, schema, handler as Handler<unknown>, options, false);
  }

  async serve<S extends z.ZodType>(queue: string, schema: S, handler: Handler<z.infer<S>>, options: ConsumeOptions = {}): Promise<void> {
    await this.addConsumer(queue, schema, handler as Handler<unknown>, options, true);
  }

  request(queue: string, body: object, timeoutMs: number, correlationId?: string, repeatOf?: string): Promise<unknown> {
    if (this.closed) {
      return Promise.reject(unavailable('bus closed'));
    }
    const id = randomUUID();
    const reply = this.pending.wait(id, timeoutMs, queue);
    this.broker.enqueue(queue, {
      text: JSON.stringify(body),
      messageId: repeatOf ?? id,
      correlationId,
      attempt: 0,
      repeatable: repeatOf !== undefined,
      expiresAt: Date.now() + timeoutMs,
      // Through JSON, as over the wire: the caller gets plain data, never the server's objects.
      replyTo: (r) => this.pending.settleBody(id, JSON.parse(JSON.stringify(r)) as ReplyBody),
    });
    return reply;
  }

  /** The queues' depths and consumers in the in-process broker (every service sees all of them). */
  queueReadings(queues: readonly string[]): Array<{ queue: string; ready: number; consumers: number }> {
    return this.broker.readings(queues);
  }

  async stopConsuming(drainMs = 5000): Promise<void> {
    this.stopped = true;
    this.removed.push(...this.broker.removeConsumers(this));
    await drained(() => this.inFlight, drainMs);
  }

  resumeConsuming(): Promise<void> {
    if (this.stopped && !this.closed) {
      this.stopped = false;
      this.removed.splice(0).forEach((r) => this.broker.addConsumer(r.queue, r.consumer));
    }
    return Promise.resolve();
  }

  async close(drainMs = 5000): Promise<void> {
    if (!this.stopped) {
      await this.stopConsuming(drainMs);
    }
    this.closed = true;
    this.pending.rejectAll('bus closed');
  }

  private addConsumer(queue: string, schema: z.ZodType, handler: Handler<unknown>, o: ConsumeOptions, rpc: boolean): Promise<void> {
    const options = withDefaults(o);
    this.broker.addConsumer(queue, {
      owner: this,
      prefetch: options.prefetch,
      inFlight: 0,
      deliver: async (e) => {
        this.inFlight += 1;
        try {
          await this.handle(queue, schema, handler, options, rpc, e);
        } finally {
          this.inFlight -= 1;
        }
      },
    });
    return Promise.resolve();
  }

  private async handle(
    queue: string,
    schema: z.ZodType,
    handler: Handler<unknown>,
    options: Required<ConsumeOptions>,
    rpc: boolean,
    e: Envelope,
  ): Promise<void> {
    const ctx: DeliveryContext = {
      correlationId: e.correlationId,
      messageId: e.messageId,
      attempt: e.attempt,
      redelivered: false,
      repeatable: e.repeatable === true,
    };
    const parsed = parseBody(e.text, schema);
    if (!parsed.ok) {
      this.logger.warn({ queue, reason: parsed.reason }, 'invalid message dead-lettered');
      this.deadLetter(queue, e, parsed.reason);
      e.replyTo?.({ ok: false, error: invalidMessage(parsed.reason) });
      return;
    }
    try {
      const result = await handler(parsed.value, ctx);
      e.replyTo?.({ ok: true, result });
    } catch (err) {
      if (rpc) {
        if (!isAppError(err)) {
          this.logger.error({ err, queue }, 'request failed');
        }
        e.replyTo?.({ ok: false, error: rpcFailure(err) });
        return;
      }
      const plan = failurePlan(err, e.attempt, options);
      if ('deadReason' in plan) {
        this.logger.error({ err, queue, attempt: e.attempt }, 'message dead-lettered');
        this.deadLetter(queue, e, plan.deadReason);
        return;
      }
      this.logger.warn({ err, queue, attempt: e.attempt, delayMs: plan.retryInMs }, 'transient failure, retrying later');
      setTimeout(() => this.broker.enqueue(queue, { ...e, attempt: e.attempt + 1 }), plan.retryInMs).unref();
    }
  }

  private deadLetter(queue: string, e: Envelope, reason: string): void {
    this.broker.enqueue(sideQueues(queue).dead, {
      text: e.text,
      messageId: e.messageId,
      correlationId: e.correlationId,
      attempt: e.attempt,
      deadReason: reason,
    });
  }
}
