import type { PDU } from 'smpp';
import { AppError } from '@outband/errors';
import type { Logger } from '@outband/observability';
import type { SmscConnection } from '../smpp-routing.config';
import { smppStatus } from './command-status';
import { SmppClient, type SubmitResponse } from './smpp-client';
import { TokenBucket } from './token-bucket';

interface Bind {
  client: SmppClient;
  bucket: TokenBucket;
  inFlight: number;
  /** After a throttling answer, no submit before this time. */
  pausedUntil: number;
  throttles: number;
}

interface Waiter {
  resolve: (bind: Bind) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

export interface BindPoolOptions {
  logger: Logger;
  onDeliver: (pdu: PDU) => Promise<void>;
  /** Called on throttling answers (metrics). */
  onThrottle?: (connectionId: string) => void;
  /** For tests. @defaultValue Date.now */
  now?: () => number;
}

/**
 * The binds to one SMSC. A submit waits for a bind that is up, has room in its window
 * (unanswered submit_sm) and a token of its rate; a throttling answer pauses that bind with a
 * growing delay. With `bindMode: transmitter`, one more bind receives receipts and MO.
 */
export class BindPool {
  private readonly binds: Bind[];
  private readonly receiver: SmppClient | undefined;
  private readonly waiters: Waiter[] = [];
  private pumpTimer: NodeJS.Timeout | undefined;
  private readonly now: () => number;

  constructor(
    readonly connection: SmscConnection,
    private readonly o: BindPoolOptions,
  ) {
    this.now = o.now ?? Date.now;
    const common = {
      url: connection.url,
      systemId: connection.systemId,
      password: connection.password,
      systemType: connection.systemType,
      enquireLinkMs: connection.enquireLinkMs,
      responseTimeoutMs: connection.responseTimeoutMs,
      logger: o.logger.child({ smsc: connection.id }),
      onDeliver: o.onDeliver,
      onStateChange: () => this.pump(),
    };
    const burst = Math.max(1, Math.ceil(connection.maxSubmitsPerSecond / 10));
    this.binds = Array.from({ length: connection.binds }, () => ({
      client: new SmppClient({ ...common, mode: connection.bindMode }),
      bucket: new TokenBucket(connection.maxSubmitsPerSecond, burst, this.now()),
      inFlight: 0,
      pausedUntil: 0,
      throttles: 0,
    }));
    this.receiver = connection.bindMode === 'transmitter' ? new SmppClient({ ...common, mode: 'receiver' }) : undefined;
  }

  start(): void {
    this.binds.forEach((b) => b.client.start());
    this.receiver?.start();
  }

  /** Binds that can submit now. */
  get up(): number {
    return this.binds.filter((b) => b.client.isBound).length;
  }

  /** Unanswered submits on each bind (for metrics). */
  get inFlight(): number[] {
    return this.binds.map((b) => b.inFlight);
  }

  async waitBound(timeoutMs: number): Promise<void> {
    await Promise.all([...this.binds.map((b) => b.client.waitBound(timeoutMs)), this.receiver?.waitBound(timeoutMs)]);
  }

  /**
   * Submits on the first bind with room; waits at most the response timeout for one. A
   * throttling answer is returned as is (the caller decides), after pausing that bind.
   */
  async submit(fields: Record<string, unknown>): Promise<SubmitResponse> {
    if (this.up === 0) {
      throw new AppError('unavailable', 'SMPP_NOT_BOUND', `no bind to ${this.connection.id} is up`, { retryable: true });
    }
    const bind = await this.acquire(this.connection.responseTimeoutMs);
    try {
      const response = await bind.client.submit(fields);
      if (response.commandStatus === smppStatus.RTHROTTLED || response.commandStatus === smppStatus.RMSGQFUL) {
        bind.throttles += 1;
        bind.pausedUntil = this.now() + Math.min(30_000, 250 * 2 ** (bind.throttles - 1));
        this.o.onThrottle?.(this.connection.id);
      } else {
        bind.throttles = 0;
      }
      return response;
    } finally {
      bind.inFlight -= 1;
      this.pump();
    }
  }

  async stop(): Promise<void> {
    clearTimeout(this.pumpTimer);
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new AppError('unavailable', 'SMPP_STOPPING', 'the message server is stopping', { retryable: true }));
    }
    await Promise.all([...this.binds.map((b) => b.client.stop()), this.receiver?.stop()]);
  }

  private acquire(timeoutMs: number): Promise<Bind> {
    return new Promise<Bind>((resolve, reject) => {
      const waiter: Waiter = {
        resolve,
        reject,
        timer: setTimeout(() => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) {
            this.waiters.splice(i, 1);
          }
          reject(new AppError('unavailable', 'SMPP_BUSY', `no room on ${this.connection.id} within ${timeoutMs} ms`, { retryable: true }));
        }, timeoutMs),
      };
      this.waiters.push(waiter);
      this.pump();
    });
  }

  /** Hands free binds to waiters in order; when only time is missing, comes back later. */
  private pump(): void {
    clearTimeout(this.pumpTimer);
    this.pumpTimer = undefined;
    let soonest = Infinity;
    while (this.waiters.length > 0) {
      const now = this.now();
      let chosen: Bind | undefined;
      for (const b of this.binds) {
        if (!b.client.isBound || b.inFlight >= this.connection.window) {
          continue;
        }
        if (b.pausedUntil > now) {
          soonest = Math.min(soonest, b.pausedUntil - now);
          continue;
        }
        const token = b.bucket.take(now);
        if (token.ok) {
          chosen = b;
          break;
        }
        soonest = Math.min(soonest, token.waitMs);
      }
      if (!chosen) {
        break;
      }
      const waiter = this.waiters.shift();
      if (waiter) {
        clearTimeout(waiter.timer);
        chosen.inFlight += 1;
        waiter.resolve(chosen);
      }
    }
    if (this.waiters.length > 0 && soonest !== Infinity) {
      this.pumpTimer = setTimeout(() => this.pump(), Math.max(1, soonest));
    }
  }
}
