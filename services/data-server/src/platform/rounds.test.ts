import { everyMs } from './rounds';

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('everyMs', () => {
  it('runs at once, then on each tick, never two rounds at a time, and carries on after a failure', async () => {
    let running = 0;
    let most = 0;
    let rounds = 0;
    const errors: unknown[] = [];
    const r = everyMs(
      5,
      async () => {
        running += 1;
        most = Math.max(most, running);
        rounds += 1;
        await pause(20); // slower than the ticks: they must be skipped, not piled up
        running -= 1;
        if (rounds === 1) {
          throw new Error('first round fails');
        }
      },
      (err) => errors.push(err),
    );
    expect(rounds).toBe(1);
    await pause(100);
    await r.stop();
    const after = rounds;
    await pause(50);
    expect(most).toBe(1);
    expect(after).toBeGreaterThanOrEqual(2);
    expect(rounds).toBe(after);
    expect(running).toBe(0);
    expect(errors).toHaveLength(1);
  });
});
