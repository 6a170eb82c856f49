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
