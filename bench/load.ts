import { percentile } from './stats';

export interface LoadResult {
  concurrency: number;
  done: number;
  errors: number;
  perSecond: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  /** The first error seen, to tell what failed. */
  firstError?: string;
}

/**
 * Closed-loop load: `concurrency` workers, each calling `call(i)` again as soon as the previous
 * call answered, for `durationMs`. `i` numbers calls across workers. A call that throws counts as
 * an error; latencies are of the successful calls.
 */
export async function closedLoop(
  concurrency: number,
  durationMs: number,
  call: (i: number) => Promise<void>,
  /** Stop after this many calls (when the work to do runs out first). */
  limit = Infinity,
): Promise<LoadResult> {
  const latencies: number[] = [];
  let errors = 0;
  let firstError: string | undefined;
  let next = 0;
  const started = performance.now();
  const end = started + durationMs;
  const worker = async () => {
    while (performance.now() < end && next < limit) {
      const i = next++;
      const t = performance.now();
      try {
        await call(i);
        latencies.push(performance.now() - t);
      } catch (e) {
        errors += 1;
        firstError ??= e instanceof Error ? e.message : String(e);
      }
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const seconds = (performance.now() - started) / 1000;
  return resultOf(concurrency, latencies, seconds, errors, firstError);
}

/**
 * Open-loop load: one call every `1000 / rate` ms whatever the answers, for `durationMs`
 * (latency at a given rate, not at a given concurrency).
 */
export async function openLoop(rate: number, durationMs: number, call: (i: number) => Promise<void>): Promise<LoadResult> {
  const latencies: number[] = [];
  const calls: Array<Promise<void>> = [];
  let errors = 0;
  let firstError: string | undefined;
  const started = performance.now();
  const total = Math.floor((rate * durationMs) / 1000);
  for (let i = 0; i < total; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 1) {
      await new Promise((r) => setTimeout(r, wait));
    }
    const t = performance.now();
    calls.push(
      call(i).then(
        () => void latencies.push(performance.now() - t),
        (e: unknown) => {
          errors += 1;
          firstError ??= e instanceof Error ? e.message : String(e);
        },
      ),
    );
  }
  await Promise.all(calls);
  const seconds = (performance.now() - started) / 1000;
  return resultOf(NaN, latencies, seconds, errors, firstError);
}

/**
 * Raises the concurrency until throughput stops growing: two levels in a row without 5% more
 * than the best so far (one level alone is too noisy on a shared 2-core machine). Answers every level.
 */
export async function findPeak(levels: number[], run: (concurrency: number) => Promise<LoadResult>): Promise<LoadResult[]> {
  const results: LoadResult[] = [];
  let best = 0;
  let flat = 0;
  for (const c of levels) {
    const r = await run(c);
    results.push(r);
    flat = r.perSecond < best * 1.05 ? flat + 1 : 0;
    if (flat === 2) {
      break;
    }
    best = Math.max(best, r.perSecond);
  }
  return results;
}

function resultOf(concurrency: number, latencies: number[], seconds: number, errors: number, firstError: string | undefined): LoadResult {
  return {
    concurrency,
    done: latencies.length,
    errors,
    perSecond: latencies.length / seconds,
    p50Ms: percentile(latencies, 50),
    p95Ms: percentile(latencies, 95),
    p99Ms: percentile(latencies, 99),
    ...(firstError ? { firstError } : {}),
  };
}
