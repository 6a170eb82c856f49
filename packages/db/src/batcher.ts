/**
 * Gathers concurrent calls into one call of `run`, so many handlers share one database round
 * trip. At most `concurrency` batches run at a time; calls made meanwhile wait and go together
 * in the next batch (group commit), so batches grow with the load and a lone call waits for
 * nothing but the current turn of the event loop. `run` answers one result per item, in order;
 * if it fails, every call of the batch fails with its error.
 */
export class Batcher<T, R> {
  private queue: Array<{ item: T; resolve: (r: R) => void; reject: (e: unknown) => void }> = [];
  private scheduled = false;
  private running = 0;

  constructor(
    private readonly run: (items: T[]) => Promise<R[]>,
    private readonly maxSize = 100,
    private readonly concurrency = 1,
  ) {}

  add(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ item, resolve, reject });
      if (this.queue.length >= this.maxSize) {
        this.flush();
      } else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => {
          this.scheduled = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    while (this.running < this.concurrency && this.queue.length > 0) {
      const batch = this.queue.splice(0, this.maxSize);
      this.running += 1;
      void this.runBatch(batch);
    }
  }

  private async runBatch(batch: Array<{ item: T; resolve: (r: R) => void; reject: (e: unknown) => void }>): Promise<void> {
    try {
      const results = await this.run(batch.map((b) => b.item));
      batch.forEach((b, i) => b.resolve(results[i] as R));
    } catch (e) {
      batch.forEach((b) => b.reject(e));
    } finally {
      this.running -= 1;
      this.flush();
    }
  }
}
