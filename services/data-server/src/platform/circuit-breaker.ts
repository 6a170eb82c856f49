import { AppError } from '@outband/errors';

/**
 * Stops calling a party that keeps failing: after `threshold` failures in a row it refuses at
 * once for `openMs`, then lets one call through; that call's outcome closes or reopens it.
 */
export class CircuitBreaker {
  private failures = 0;
  private openUntil = 0;
  private probing = false;

  constructor(
    private readonly name: string,
    private readonly threshold: number,
    private readonly openMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  get state(): 'closed' | 'open' | 'half-open' {
    if (this.failures < this.threshold) {
      return 'closed';
    }
    return this.now() < this.openUntil ? 'open' : 'half-open';
  }

  async run<T>(call: () => Promise<T>): Promise<T> {
    const state = this.state;
    if (state === 'open' || (state === 'half-open' && this.probing)) {
      throw new AppError('unavailable', 'BANK_UNAVAILABLE', `${this.name} is failing: calls are paused for a moment`, {
        retryable: true,
        details: { retryAfterSeconds: Math.max(1, Math.ceil((this.openUntil - this.now()) / 1000)) },
      });
    }
    const probe = state === 'half-open';
    this.probing ||= probe;
    try {
      const result = await call();
      this.failures = 0;
      return result;
    } catch (e) {
      this.failures += 1;
      if (this.failures >= this.threshold) {
        this.openUntil = this.now() + this.openMs;
      }
      throw e;
    } finally {
      if (probe) {
        this.probing = false;
      }
    }
  }
}
