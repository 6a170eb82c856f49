import { randomInt } from 'node:crypto';
import { AppError } from '@outband/errors';
import { splitBrokerUrls } from '@outband/config';

/** The broker URLs in `AMQP_URL` (see `splitBrokerUrls`); a clear error when they do not hold. */
export function brokerUrls(value: string): string[] {
  const split = splitBrokerUrls(value);
  if ('error' in split) {
    throw new AppError('invalid_input', 'CONFIG_INVALID', `AMQP_URL: ${split.error}`);
  }
  return split.urls;
}

/** `host:port` of a broker URL, for logs: no credentials. */
export function nodeOf(url: string): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || (u.protocol === 'amqps:' ? '5671' : '5672')}`;
}

/**
 * The node the bus connects to next: each in turn, starting from a random one so that the
 * clients of a cluster spread over its nodes. After a failed attempt or a lost connection the
 * next node is tried, so a node that went away is left for a live one.
 */
export class BrokerNodes {
  private next: number;

  constructor(
    readonly urls: readonly string[],
    first = randomInt(urls.length),
  ) {
    this.next = first % urls.length;
  }

  /** The URL to connect to now; the following call answers the node after it. */
  take(): string {
    const url = this.urls[this.next] ?? '';
    this.next = (this.next + 1) % this.urls.length;
    return url;
  }
}
