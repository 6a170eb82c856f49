import { retryDeadlock } from './retry-deadlock';

const deadlock = () => Object.assign(new Error('Deadlock found when trying to get lock'), { code: 'ER_LOCK_DEADLOCK' });

describe('retryDeadlock', () => {
  it('runs a deadlock victim again until it commits', async () => {
    let runs = 0;
    const result = await retryDeadlock(() => {
      runs += 1;
      return runs < 3 ? Promise.reject(deadlock()) : Promise.resolve('committed');
    });
    expect({ result, runs }).toEqual({ result: 'committed', runs: 3 });
  });

  it('gives up after its tries, with the deadlock', async () => {
    let runs = 0;
    await expect(
      retryDeadlock(() => {
        runs += 1;
        return Promise.reject(deadlock());
      }, 2),
    ).rejects.toMatchObject({ code: 'ER_LOCK_DEADLOCK' });
    expect(runs).toBe(2);
  });

  it('never runs again after another error', async () => {
    let runs = 0;
    await expect(
      retryDeadlock(() => {
        runs += 1;
        return Promise.reject(Object.assign(new Error('duplicate'), { code: 'ER_DUP_ENTRY' }));
      }),
    ).rejects.toThrow('duplicate');
    expect(runs).toBe(1);
  });
});
