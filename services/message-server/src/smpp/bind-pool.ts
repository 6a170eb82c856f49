import type { PDU } from 'smpp';
import { AppError } from '@outband/errors';
import type { Logger } from '@outband/observability';
import type { SmscConnection } from '../smpp-routing.config';
import type { AccountRate } from './account-rate';
import { WholeBindBudget, type BindBudget, type BindGrant } from './bind-budget';
import { smppStatus } from './command-status';
import { SmppClient, type SubmitResponse } from './smpp-client';
import { TokenBucket } from './token-bucket';

/** `work`, or a rejection once `ms` have passed without its answer (a Redis that does not answer). */
function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

interface Bind {
  slot: number;
  client: SmppClient;
  bucket: TokenBucket;
  /** Whether this replica holds the slot's lease and has opened the bind. */
  open: boolean;
  /** Held beyond this replica's share: takes no new submit, and is freed once its window is empty. */
  draining: boolean;
  /** Being closed (and its slot freed): not reopened before that is done. */
  closing: boolean;
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
  /** Which slots this server may bind. @defaultValue every slot (a server alone on its account) */
  budget?: BindBudget;
  /** How often leases are renewed and free slots looked for. @defaultValue 1000 */
  refreshMs?: number;
  /** The account's rate over all its binds, when the contract sets one. */
  accountRate?: AccountRate;
  /** Called when binds open or close, or the grant changes (to stop taking work as a spare). */
  onBindsChange?: () => void;
  /** For tests. @defaultValue Date.now */
  now?: () => number;
}

/**
 * The binds to one SMSC. A submit waits for a bind that is up, has room in its window
 * (unanswered submit_sm) and a token of its rate; a throttling answer pauses that bind with a
 * growing delay. With `bindMode: transmitter`, one more bind receives receipts and MO. A bind is
 * opened only while its slot is granted by the budget, so replicas never exceed the account.
 */
export class BindPool {
  private readonly binds: Bind[];
  private readonly receiver: { client: SmppClient; open: boolean; closing: boolean } | undefined;
  private readonly waiters: Waiter[] = [];
  private readonly budget: BindBudget;
  private pumpTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private refreshing: Promise<void> | undefined;
  private expiryTimer: NodeJS.Timeout | undefined;
  private lastGrant: BindGrant | undefined;
  private changed: Array<() => void> = [];
  private running = false;
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
      onStateChange: () => this.onChange(),
    };
    const burst = Math.max(1, Math.ceil(connection.maxSubmitsPerSecond / 10));
    this.binds = Array.from({ length: connection.binds }, (_, slot) => ({
      slot,
      client: new SmppClient({ ...common, mode: connection.bindMode }),
      bucket: new TokenBucket(connection.maxSubmitsPerSecond, burst, this.now()),
      open: false,
      draining: false,
      closing: false,
      inFlight: 0,
      pausedUntil: 0,
      throttles: 0,
    }));
    this.receiver =
      connection.bindMode === 'transmitter'
        ? { client: new SmppClient({ ...common, mode: 'receiver' }), open: false, closing: false }
        : undefined;
    this.budget = o.budget ?? new WholeBindBudget(connection.binds, this.receiver !== undefined);
  }

  start(): void {
    this.running = true;
    this.refreshing = this.refresh();
  }

  /** Binds that can submit now. */
  get up(): number {
    return this.binds.filter((b) => b.open && !b.draining && b.client.isBound).length;
  }

  /** Slots this server holds (open binds, draining ones included). */
  get held(): number {
    return this.binds.filter((b) => b.open).length;
  }

  /**
   * A replica beyond the account's binds: every slot is held by another live replica. It is
   * ready all the same (a rollout surges one replica more), and takes a slot when one is freed.
   */
  get spare(): boolean {
    const g = this.lastGrant;
    return g !== undefined && g.share === 0 && g.slots.length === 0;
  }

  /** Replicas sharing the account, as last seen. */
  get replicas(): number {
    return this.lastGrant?.live ?? 1;
  }

  /** Unanswered submits on each bind (for metrics). */
  get inFlight(): number[] {
    return this.binds.map((b) => b.inFlight);
  }

  /** Resolves once this server's share of the binds (and the receiver, if it holds it) is up. */
  async waitBound(timeoutMs: number): Promise<void> {
    const deadline = this.now() + timeoutMs;
    for (;;) {
      const g = this.lastGrant;
      const receiverUp = !this.receiver?.open || this.receiver.client.isBound;
      if (g && this.up >= Math.min(g.share, this.binds.length) && receiverUp) {
        return;
      }
      const left = deadline - this.now();
      if (left <= 0) {
        throw new Error(`SMPP binds to ${this.connection.id} not up within ${timeoutMs} ms`);
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.min(left, 1000));
        this.changed.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
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
      if (bind.draining && bind.inFlight === 0) {
        void this.free(bind);
      }
      this.pump();
    }
  }

  /** Unbinds, then frees every slot it held for the other replicas. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.refreshTimer);
    clearTimeout(this.pumpTimer);
    await this.refreshing;
    clearTimeout(this.expiryTimer);
    for (const w of this.waiters.splice(0)) {
      clearTimeout(w.timer);
      w.reject(new AppError('unavailable', 'SMPP_STOPPING', 'the message server is stopping', { retryable: true }));
    }
    await Promise.all([...this.binds.map((b) => b.client.stop()), this.receiver?.client.stop()]);
    this.binds.forEach((b) => (b.open = false));
    // Every slot, not only the open ones: a lease taken by a late answer is freed too (the script
    // frees only this replica's). Unfreed leases run out on their own after one lease length.
    await withTimeout(this.budget.release('all', this.receiver !== undefined, true), 1000).catch((err: unknown) => {
      this.o.logger.warn({ err, smsc: this.connection.id }, 'SMPP bind leases not freed');
    });
  }

  /** Renews the grant and opens, drains or closes binds to match it; then again after a while. */
  private async refresh(): Promise<void> {
    const leaseMs = this.budget.leaseMs;
    const every = this.o.refreshMs ?? 1000;
    try {
      const grant = await withTimeout(this.budget.refresh(), every);
      this.lastGrant = grant;
      if (this.running) {
        this.apply(grant);
        if (Number.isFinite(leaseMs)) {
          // Counted from before the ask (Redis started the leases no earlier): another replica may
          // take these slots once they run out, so unless renewed, they are closed first.
          clearTimeout(this.expiryTimer);
          this.expiryTimer = setTimeout(() => this.expire(), leaseMs * 0.8 - every);
        }
      }
    } catch (err) {
      this.o.logger.warn({ err, smsc: this.connection.id }, 'SMPP bind leases not renewed');
    }
    if (this.running && Number.isFinite(leaseMs)) {
      this.refreshTimer = setTimeout(() => {
        this.refreshing = this.refresh();
      }, every);
    }
  }

  private expire(): void {
    if (this.running) {
      this.o.logger.warn({ smsc: this.connection.id }, 'SMPP bind leases not renewed in time: binds closed');
      this.apply({ slots: [], share: 0, receiver: false, live: this.lastGrant?.live ?? 1 });
    }
  }

  private apply(grant: BindGrant): void {
    const held = new Set(grant.slots);
    const kept = new Set(grant.slots.slice(0, grant.share));
    for (const b of this.binds) {
      if (b.closing) {
        continue;
      }
      if (kept.has(b.slot)) {
        b.draining = false;
        if (!b.open) {
          b.open = true;
          b.client.start();
        }
      } else if (held.has(b.slot)) {
        if (!b.open) {
          void withTimeout(this.budget.release([b.slot], false, false), 1000).catch(() => undefined);
        } else if (!b.draining) {
          b.draining = true;
          if (b.inFlight === 0) {
            void this.free(b);
          }
        }
      } else if (b.open) {
        // Lost (or not renewed in time): whoever takes the slot next must find it closed, so the
        // link is cut at once rather than after an unbind the SMSC may answer slowly.
        void this.close(b, false);
        this.o.logger.warn({ smsc: this.connection.id, slot: b.slot }, 'SMPP bind lease lost: bind closed');
      }
    }
    const r = this.receiver;
    if (r && !r.closing && grant.receiver !== r.open) {
      r.open = grant.receiver;
      if (grant.receiver) {
        r.client.start();
      } else {
        r.closing = true;
        void r.client.abort().finally(() => {
          r.closing = false;
        });
      }
    }
    this.onChange();
  }

  /** Closes a drained bind, then frees its slot for a replica below its share. */
  private free(b: Bind): Promise<void> {
    return this.close(b, true);
  }

  private async close(b: Bind, release: boolean): Promise<void> {
    b.closing = true;
    b.draining = false;
    b.open = false;
    try {
      // A drained bind still holds its lease: it unbinds politely, then frees the slot.
      await (release ? b.client.stop() : b.client.abort());
      if (release) {
        await withTimeout(this.budget.release([b.slot], false, false), 1000).catch(() => undefined);
      }
    } finally {
      b.closing = false;
      this.onChange();
    }
  }

  /** Looks again for binds and tokens (when shared tokens arrive). */
  wake(): void {
    this.pump();
  }

  private onChange(): void {
    const waiting = this.changed;
    this.changed = [];
    waiting.forEach((w) => w());
    this.o.onBindsChange?.();
    this.pump();
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
        if (!b.open || b.draining || !b.client.isBound || b.inFlight >= this.connection.window) {
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
      // The account's token last, once a bind can take the submit: none is taken for nothing.
      const account = this.o.accountRate?.take(now) ?? { ok: true };
      if (!account.ok) {
        chosen.bucket.giveBack();
        soonest = Math.min(soonest, account.waitMs);
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
