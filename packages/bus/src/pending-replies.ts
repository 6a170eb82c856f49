import type { ConsumeMessage } from 'amqplib';
import { AppError, type SerializedError } from '@outband/errors';
import { unavailable } from './amqp-helpers';

/** The body of every reply on the bus. */
export interface ReplyBody {
  ok: boolean;
  result?: unknown;
  error?: SerializedError;
}

interface Pending {
  resolve: (value: unknown) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/** Requests waiting for their reply, by correlation id, each with its own timeout. */
export class PendingReplies {
  private readonly pending = new Map<string, Pending>();

  wait(id: string, timeoutMs: number, queue: string): Promise<unknown> {
    return new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new AppError('unavailable', 'UPSTREAM_TIMEOUT', `no reply from ${queue} within ${timeoutMs} ms`, { retryable: true }));
      }, timeoutMs);
      this.pending.set(id, { resolve, reject, timer });
    });
  }

  /** Settles the request a reply answers; a reply for a caller that gave up is dropped. */
  settle(msg: ConsumeMessage): void {
    const id = msg.properties.correlationId as string | undefined;
    if (!id || !this.pending.has(id)) {
      return;
    }
    let body: ReplyBody;
    try {
      body = JSON.parse(msg.content.toString('utf8')) as ReplyBody;
    } catch (e) {
      body = { ok: false, error: new AppError('internal', 'INTERNAL', 'reply is not JSON', { cause: e }).toJSON() };
    }
    this.settleBody(id, body);
  }

  /** Settles request `id` with a reply body (an in-process reply needs no parsing). */
  settleBody(id: string, body: ReplyBody): void {
    const p = this.pending.get(id);
    if (!p) {
      return;
    }
    this.pending.delete(id);
    clearTimeout(p.timer);
    if (body.ok) {
      p.resolve(body.result);
    } else {
      p.reject(body.error ? AppError.fromJSON(body.error) : new AppError('internal', 'INTERNAL', 'bad reply'));
    }
  }

  /** Fails one waiting request (the broker did not take it: no reply will come). */
  fail(id: string, e: Error): void {
    const p = this.pending.get(id);
    if (p) {
      this.pending.delete(id);
      clearTimeout(p.timer);
      p.reject(e);
    }
  }

  /** Fails every waiting request (the channel that would carry their replies is gone). */
  rejectAll(reason: string): void {
    for (const p of this.pending.values()) {
      clearTimeout(p.timer);
      p.reject(unavailable(reason));
    }
    this.pending.clear();
  }
}
