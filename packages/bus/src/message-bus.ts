import type { z } from 'zod';
import type { BusEvent, BusTopicBody } from '@outband/contracts';
import type { ConsumeOptions, PublishOptions } from './bus-options';
import type { DeliveryContext } from './delivery';

export type Handler<T> = (message: T, ctx: DeliveryContext) => Promise<unknown>;

/**
 * What the services ask of a bus. `Bus` is RabbitMQ (the product); `MemoryBus` is the in-process
 * bus of the embedded default (`pnpm start` with no broker). Both pass the same conformance suite.
 */
export interface MessageBus {
  /** Whether a publish would reach the broker now. */
  readonly connected: boolean;
  /** Publishes a message; resolves once the broker holds it. A body its topic's schema refuses never leaves. */
  publish(exchange: string, routingKey: string, body: object, options?: PublishOptions): Promise<void>;
  /** Publishes an event on the events exchange, typed by its topic. */
  publish<T extends BusEvent>(topic: T, body: BusTopicBody<T>, options?: PublishOptions): Promise<void>;
  /** Consumes a work queue: done on success, delayed retry on a transient error, dead-letter otherwise. */
  consume<S extends z.ZodType>(queue: string, schema: S, handler: Handler<z.infer<S>>, options?: ConsumeOptions): Promise<void>;
  /** Serves request/reply on a queue: the handler's result (or AppError) is the reply. */
  serve<S extends z.ZodType>(queue: string, schema: S, handler: Handler<z.infer<S>>, options?: ConsumeOptions): Promise<void>;
  /**
   * Sends a request and waits for its reply (UPSTREAM_TIMEOUT after `timeoutMs`). `repeatOf`: the
   * id every try of one request shares (from an idempotency key): the server looks for what an
   * earlier try did, as for a redelivery.
   */
  request(queue: string, body: object, timeoutMs: number, correlationId?: string, repeatOf?: string): Promise<unknown>;
  /** Stops taking messages and lets in-flight handlers finish (bounded); publishing still works. */
  stopConsuming(drainMs?: number): Promise<void>;
  /** Takes messages again after `stopConsuming` (a server that can do the work again). */
  resumeConsuming(): Promise<void>;
  /** Stops consuming (if not done yet), then lets go of the broker. */
  close(drainMs?: number): Promise<void>;
}
