import type { ConsumeMessage } from 'amqplib';
import { AppError, type SerializedError } from '@outband/errors';

/**
 * The broker user a bus connection authenticates as (amqplib logs in as guest when the URL names
 * nobody). Messages carry it as `user_id`, which RabbitMQ refuses to pass unless it is the
 * connection's own user: the consumer learns who really published.
 */
export function brokerUserOf(url: string): string {
  const u = new URL(url);
  return u.username === '' && u.password === '' ? 'guest' : decodeURIComponent(u.username);
}

/** Why a delivery is refused because of who published it, or undefined when its publisher is trusted. */
export function untrustedPublisher(msg: ConsumeMessage, trusted: readonly string[] | 'any', ownUser: string): string | undefined {
  if (trusted === 'any') {
    return undefined;
  }
  const from: unknown = msg.properties.userId;
  if (typeof from === 'string' && (from === ownUser || trusted.includes(from))) {
    return undefined;
  }
  return typeof from === 'string' ? `forbidden: published by broker user '${from}', not a trusted one` : 'forbidden: no user_id';
}

/** The answer to a request from a broker user the server does not serve. */
export function callerForbidden(): SerializedError {
  return new AppError('forbidden', 'CALLER_FORBIDDEN', 'this broker user may not make this request').toJSON();
}
