/** Bounds on the webhook deliveries one process runs at once. */
export interface DeliverySlotLimits {
  /** In all. */
  total: number;
  /** Of one merchant: its slow endpoints hold only its own slots. */
  perMerchant: number;
}

/**
 * The webhook deliveries under way in this process, counted per merchant, so each round starts
 * only what fits and a merchant whose endpoints hang (a tar pit) never holds up the others.
 */
export class DeliverySlots {
  private readonly byMerchant = new Map<string, number>();
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly limits: DeliverySlotLimits) {}

  /** How many more deliveries may start, in all. */
  free(): number {
    return Math.max(0, this.limits.total - this.running.size);
  }

  /** How many more deliveries of this merchant may start. */
  freeFor(merchantId: string): number {
    return Math.min(this.free(), Math.max(0, this.limits.perMerchant - (this.byMerchant.get(merchantId) ?? 0)));
  }

  /** Merchants with no slot left. */
  saturated(): string[] {
    return [...this.byMerchant].filter(([, n]) => n >= this.limits.perMerchant).map(([merchantId]) => merchantId);
  }

  /** Starts `work` in one of the merchant's slots, freed when it settles; `work` must not reject. */
  start(merchantId: string, work: () => Promise<void>): void {
    this.byMerchant.set(merchantId, (this.byMerchant.get(merchantId) ?? 0) + 1);
    const p: Promise<void> = work().finally(() => {
      this.running.delete(p);
      const n = (this.byMerchant.get(merchantId) ?? 1) - 1;
      if (n > 0) {
        this.byMerchant.set(merchantId, n);
      } else {
        this.byMerchant.delete(merchantId);
      }
    });
    this.running.add(p);
  }

  /** Resolves once every delivery under way has settled (on shutdown). */
  async idle(): Promise<void> {
    await Promise.allSettled([...this.running]);
  }
}
