import { Batcher } from './batcher';

describe('Batcher', () => {
  it('runs calls of the same turn together and answers each in order', async () => {
    const runs: number[][] = [];
    const b = new Batcher<number, number>((items) => {
      runs.push(items);
      return Promise.resolve(items.map((i) => i * 10));
    });
    const answers = await Promise.all([1, 2, 3].map((i) => b.add(i)));
    expect(answers).toEqual([10, 20, 30]);
    expect(runs).toEqual([[1, 2, 3]]);
    expect(await b.add(4)).toBe(40);
    expect(runs).toEqual([[1, 2, 3], [4]]);
  });

  it('splits at the maximum size', async () => {
    const sizes: number[] = [];
    const b = new Batcher<number, number>((items) => {
      sizes.push(items.length);
      return Promise.resolve(items);
    }, 2);
    await Promise.all([1, 2, 3, 4, 5].map((i) => b.add(i)));
    expect(sizes).toEqual([2, 2, 1]);
  });

  it('fails every call of a failed batch', async () => {
    const b = new Batcher<number, number>(() => Promise.reject(new Error('db down')));
    const results = await Promise.allSettled([b.add(1), b.add(2)]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});

describe('Batcher under load', () => {
  it('gathers the calls made while a batch runs into the next one', async () => {
    const runs: number[][] = [];
    let release: () => void = () => undefined;
    const b = new Batcher<number, number>(async (items) => {
      runs.push(items);
      if (runs.length === 1) {
        await new Promise<void>((r) => (release = r));
      }
      return items;
    });
    const first = b.add(1);
    await new Promise((r) => setImmediate(r));
    const later = [2, 3, 4].map((i) => b.add(i));
    await new Promise((r) => setImmediate(r));
    expect(runs).toEqual([[1]]);
    release();
    expect(await Promise.all([first, ...later])).toEqual([1, 2, 3, 4]);
    expect(runs).toEqual([[1], [2, 3, 4]]);
  });

  it('runs up to `concurrency` batches at once', async () => {
    let active = 0;
    let peak = 0;
    const b = new Batcher<number, number>(
      async (items) => {
        active += 1;
        peak = Math.max(peak, active);
        await new Promise((r) => setTimeout(r, 5));
        active -= 1;
        return items;
      },
      1,
      2,
    );
    await Promise.all([1, 2, 3, 4].map((i) => b.add(i)));
    expect(peak).toBe(2);
  });
});
