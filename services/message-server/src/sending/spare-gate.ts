import type { MessageBus } from '@outband/bus';
import type { Logger } from '@outband/observability';

/** What the gate reads of a connection's bind pool. */
export interface SparePool {
  readonly spare: boolean;
}

/**
 * Stops taking messages while this replica is a spare on every SMSC account (all binds held by
 * other replicas): a message it took could only be retried later. Takes them again once a bind
 * is its own. Acts only between `open` (the consumer is set up) and `close` (shutting down).
 */
export class SpareGate {
  private open = false;
  private paused = false;

  constructor(
    private readonly bus: Pick<MessageBus, 'stopConsuming' | 'resumeConsuming'>,
    private readonly pools: ReadonlyMap<string, SparePool>,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.open = true;
    this.check();
  }

  stop(): void {
    this.open = false;
  }

  /** Called whenever a pool's binds or grant change. */
  check(): void {
    const spare = this.open && [...this.pools.values()].every((p) => p.spare);
    if (!this.open || spare === this.paused) {
      return;
    }
    this.paused = spare;
    this.logger.info({ spare }, spare ? 'every SMSC bind is held by other replicas: not taking messages' : 'taking messages');
    void (spare ? this.bus.stopConsuming(0) : this.bus.resumeConsuming()).catch((err: unknown) =>
      this.logger.warn({ err }, 'consumption not switched'),
    );
  }
}
