import * as smpp from 'smpp';
import { AppError } from '@outband/errors';
import type { Logger } from '@outband/observability';
import { formatStatus, smppStatus } from './command-status';

export type BindMode = 'transceiver' | 'transmitter' | 'receiver';

export interface SmppClientOptions {
  /** `smpp://host:port` */
  url: string;
  systemId: string;
  password: string;
  /** @defaultValue '' */
  systemType?: string;
  mode: BindMode;
  /** @defaultValue 30000 */
  enquireLinkMs?: number;
  /** Bound on every response we wait for (bind, submit). @defaultValue 10000 */
  responseTimeoutMs?: number;
  /** Called for every deliver_sm; its promise decides the command_status we answer. */
  onDeliver?: (pdu: smpp.PDU) => Promise<void>;
  /** Called when the bind comes up or goes down. */
  onStateChange?: (bound: boolean) => void;
  logger: Logger;
}

/** The SMSC's answer to one submit_sm. */
export interface SubmitResponse {
  commandStatus: number;
  /** The SMSC's id for the message ('' when it gave none). */
  messageId: string;
}

interface Waiter {
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

/**
 * One SMPP bind over the `smpp` package. It owns what the package lacks: a fresh session per
 * reconnect with backoff and jitter, response timeouts, and failing every outstanding submit
 * when the link drops (the package drops their callbacks silently).
 */
export class SmppClient {
  private session: smpp.Session | undefined;
  private bound = false;
  private stopping = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private readonly waiters = new Set<Waiter>();
  private boundWaiters: Array<() => void> = [];
  private delivering = 0;

  constructor(private readonly o: SmppClientOptions) {}

  get isBound(): boolean {
    return this.bound;
  }

  start(): void {
    this.stopping = false;
    this.open();
  }

  /** Resolves once bound, or rejects after `timeoutMs`. */
  async waitBound(timeoutMs: number): Promise<void> {
    if (this.bound) {
      return;
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`SMPP not bound within ${timeoutMs} ms`)), timeoutMs);
      this.boundWaiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }

  /** Sends one submit_sm (all fields given); throws only when the link fails, not on a refusal. */
  async submit(fields: Record<string, unknown>): Promise<SubmitResponse> {
    const session = this.session;
    if (!session || !this.bound) {
      throw new AppError('unavailable', 'SMPP_NOT_BOUND', 'no SMPP bind is up', { retryable: true });
    }
    const pdu = await this.call('submit_sm', (cb) => session.submit_sm(fields, cb));
    const id = typeof pdu.message_id === 'string' ? pdu.message_id.replace(/\0+$/, '').trim() : '';
    return { commandStatus: pdu.command_status, messageId: id };
  }

  /** Unbinds politely (bounded), then closes. */
  async stop(): Promise<void> {
    await this.close(true);
  }

  /** Cuts the link without an unbind: the bind must be gone before anyone else may open it. */
  async abort(): Promise<void> {
    await this.close(false);
  }

  private async close(unbind: boolean): Promise<void> {
    this.stopping = true;
    clearTimeout(this.reconnectTimer);
    const session = this.session;
    if (unbind && session && this.bound) {
      await this.call('unbind', (cb) => session.unbind({}, cb)).catch(() => undefined);
    }
    session?.destroy();
    this.session = undefined;
    this.bound = false;
    // The session's own close no longer reaches them: fail what still waits, for a retry elsewhere.
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new AppError('unavailable', 'SMPP_LINK_LOST', 'SMPP link closed before the response', { retryable: true }));
    }
    this.waiters.clear();
    // Let deliver_sm handlers already running finish their writes (bounded).
    const deadline = Date.now() + 2000;
    while (this.delivering > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private open(): void {
    const session = smpp.connect({ url: this.o.url, auto_enquire_link_period: this.o.enquireLinkMs ?? 30_000, noDelay: true });
    this.session = session;
    session.on('connect', () => {
      void this.bind(session);
    });
    // After an error the package may stop parsing while the socket stays open: drop the session.
    session.on('error', (err: Error) => {
      this.o.logger.warn({ err: { message: err.message } }, 'SMPP session error');
      session.destroy();
    });
    session.on('close', () => this.onClose(session));
    session.on('enquire_link', (pdu: smpp.PDU) => session.send(pdu.response()));
    session.on('unbind', (pdu: smpp.PDU) => {
      session.send(pdu.response());
      session.close();
    });
    session.on('deliver_sm', (pdu: smpp.PDU) => {
      const handler = this.o.onDeliver ?? (() => Promise.resolve());
      this.delivering += 1;
      handler(pdu)
        .then(
          () => session.send(pdu.response()),
          (err: unknown) => {
            this.o.logger.warn({ err }, 'deliver_sm not processed; SMSC will resend');
            session.send(pdu.response({ command_status: smppStatus.RSYSERR }));
          },
        )
        .finally(() => {
          this.delivering -= 1;
        });
    });
  }

  private async bind(session: smpp.Session): Promise<void> {
    const options = {
      system_id: this.o.systemId,
      password: this.o.password,
      system_type: this.o.systemType ?? '',
      interface_version: 0x34,
    };
    try {
      const pdu = await this.call('bind', (cb) => {
        switch (this.o.mode) {
          case 'transceiver':
            return session.bind_transceiver(options, cb);
          case 'transmitter':
            return session.bind_transmitter(options, cb);
          case 'receiver':
            return session.bind_receiver(options, cb);
        }
      });
      if (pdu.command_status !== smppStatus.ROK) {
        // A refused bind (wrong password …) is retried slowly, never in a busy loop.
        this.attempt = Math.max(this.attempt, 5);
        this.o.logger.error({ commandStatus: formatStatus(pdu.command_status), systemId: this.o.systemId }, 'SMPP bind refused');
        session.destroy();
        return;
      }
      this.bound = true;
      this.attempt = 0;
      this.o.onStateChange?.(true);
      this.o.logger.info({ url: this.o.url, mode: this.o.mode }, 'SMPP bound');
      const waiters = this.boundWaiters;
      this.boundWaiters = [];
      waiters.forEach((w) => w());
    } catch (err) {
      this.o.logger.warn({ err }, 'SMPP bind failed');
      session.destroy();
    }
  }

  private onClose(session: smpp.Session): void {
    if (this.session !== session) {
      return;
    }
    const wasBound = this.bound;
    this.bound = false;
    this.session = undefined;
    if (wasBound) {
      this.o.onStateChange?.(false);
    }
    for (const w of this.waiters) {
      clearTimeout(w.timer);
      w.reject(new AppError('unavailable', 'SMPP_LINK_LOST', 'SMPP link closed before the response', { retryable: true }));
    }
    this.waiters.clear();
    if (this.stopping) {
      return;
    }
    const delay = Math.min(30_000, 250 * 2 ** this.attempt) * (0.5 + Math.random() / 2);
    this.attempt += 1;
    if (wasBound) {
      this.o.logger.warn({ delayMs: Math.round(delay) }, 'SMPP link lost, reconnecting');
    }
    this.reconnectTimer = setTimeout(() => this.open(), delay);
  }

  /** Sends one request and waits for its response, bounded by our own timer. */
  private call(what: string, send: (cb: (pdu: smpp.PDU) => void) => boolean): Promise<smpp.PDU> {
    return new Promise<smpp.PDU>((resolve, reject) => {
      const timeoutMs = this.o.responseTimeoutMs ?? 10_000;
      const waiter: Waiter = {
        reject,
        timer: setTimeout(() => {
          this.waiters.delete(waiter);
          reject(new AppError('unavailable', 'SMPP_TIMEOUT', `no ${what} response within ${timeoutMs} ms`, { retryable: true }));
        }, timeoutMs),
      };
      this.waiters.add(waiter);
      const sent = send((pdu) => {
        if (this.waiters.delete(waiter)) {
          clearTimeout(waiter.timer);
          resolve(pdu);
        }
      });
      if (!sent) {
        this.waiters.delete(waiter);
        clearTimeout(waiter.timer);
        reject(new AppError('unavailable', 'SMPP_NOT_WRITABLE', 'SMPP socket is not writable', { retryable: true }));
      }
    });
  }
}
