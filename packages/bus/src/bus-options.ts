import type { BusNames } from '@outband/contracts';
import type { QueueType } from './topology';

/** The logger calls the bus makes (pino's shape). */
export interface BusLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface BusOptions {
  /**
   * The broker's URL, or the nodes of a cluster comma-separated (one user and vhost for all):
   * tried in turn from a random one, and the next one after a connection is lost.
   */
  url: string;
  names: BusNames;
  /** @defaultValue 'classic' */
  queueType?: QueueType;
  logger: BusLogger;
  /** Name shown in the RabbitMQ management UI. */
  connectionName?: string;
  /** How long a publish waits for the broker (reconnect + confirm). @defaultValue 10000 */
  publishTimeoutMs?: number;
  /** How long `Bus.connect` keeps trying before it gives up. @defaultValue 60000 */
  connectTimeoutMs?: number;
}

export interface ConsumeOptions {
  /** Unacked messages per consumer. @defaultValue 16 */
  prefetch?: number;
  /** Delayed retries of a transient failure before the message is dead-lettered. @defaultValue 5 */
  maxRetries?: number;
  /** First retry delay; it doubles each time. @defaultValue 1000 */
  retryBaseMs?: number;
  /** @defaultValue 60000 */
  retryMaxMs?: number;
  /**
   * Broker users whose messages this consumer takes, checked against the `user_id` RabbitMQ
   * validates; the bus's own user (it republishes retries) is always trusted. Anything else is
   * dead-lettered, and a request is answered CALLER_FORBIDDEN. The in-process bus has no
   * outsiders and ignores it. @defaultValue 'any'
   */
  trustedPublishers?: readonly string[] | 'any';
}

export interface PublishOptions {
  messageId?: string;
  correlationId?: string | undefined;
}

/** Consume options with their defaults filled in. */
export function withDefaults(o: ConsumeOptions): Required<ConsumeOptions> {
  return { prefetch: 16, maxRetries: 5, retryBaseMs: 1000, retryMaxMs: 60_000, trustedPublishers: 'any', ...o };
}
