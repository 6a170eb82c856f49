import { CircuitBreaker } from './circuit-breaker';

describe('CircuitBreaker', () => {
  it('opens after the threshold, refuses without calling, then lets one probe through', async () => {
    let t = 0;
    const breaker = new CircuitBreaker('bank', 2, 1000, () => t);
    let calls = 0;
    const failing = () => {
      calls += 1;
      return Promise.reject(new Error('down'));
    };
    await expect(breaker.run(failing)).rejects.toThrow('down');
    await expect(breaker.run(failing)).rejects.toThrow('down');
    expect(breaker.state).toBe('open');
    await expect(breaker.run(failing)).rejects.toMatchObject({ code: 'BANK_UNAVAILABLE' });
    expect(calls).toBe(2);
    t = 1000;
    expect(breaker.state).toBe('half-open');
    await expect(breaker.run(failing)).rejects.toThrow('down');
    expect(breaker.state).toBe('open');
    t = 2000;
    expect(await breaker.run(() => Promise.resolve('ok'))).toBe('ok');
    expect(breaker.state).toBe('closed');
  });
});
