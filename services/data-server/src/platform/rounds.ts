/** Work repeated on a timer, stopped with the server. */
export interface Rounds {
  /** No new round; resolves once the one running (if any) has finished. */
  stop(): Promise<void>;
}

/**
 * Runs `round` now and every `ms`, one at a time: a tick that finds the previous round still
 * running is skipped, so a slow round never piles up. A failed round is reported and the next
 * one runs as usual.
 */
export function everyMs(ms: number, round: () => Promise<unknown>, onError: (err: unknown) => void): Rounds {
  let running: Promise<unknown> | undefined;
  const tick = () => {
    running ??= round()
      .catch(onError)
      .finally(() => (running = undefined));
  };
  tick();
  const timer = setInterval(tick, ms);
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
