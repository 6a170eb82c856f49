import { SessionStore } from './session-store';

describe('SessionStore', () => {
  it('holds at most maxSessions, dropping the least recently used', () => {
    const store = new SessionStore<string>({ maxSessions: 3, idleMs: 60_000, now: () => 0 });
    for (const id of ['a', 'b', 'c']) {
      store.set(id, id.toUpperCase());
    }
    expect(store.get('a')).toBe('A'); // used: b is now the oldest
    store.set('d', 'D');
    expect(store.size).toBe(3);
    expect(store.get('b')).toBeUndefined();
    expect([store.get('a'), store.get('c'), store.get('d')]).toEqual(['A', 'C', 'D']);
  });

  it('forgets a session idle longer than idleMs, and keeps one in use alive', () => {
    let now = 0;
    const store = new SessionStore<number>({ maxSessions: 100, idleMs: 1000, now: () => now });
    store.set('idle', 1);
    store.set('busy', 2);
    now = 800;
    expect(store.get('busy')).toBe(2);
    now = 1500;
    expect(store.get('busy')).toBe(2);
    expect(store.get('idle')).toBeUndefined();
    expect(store.size).toBe(1);
  });

  it('sweeps idle sessions when a new one is made, so a flood of cookie-less requests stays bounded', () => {
    let now = 0;
    const store = new SessionStore<number>({ maxSessions: 1000, idleMs: 1000, now: () => now });
    for (let i = 0; i < 500; i++) {
      store.set(`s${i}`, i);
    }
    now = 2000;
    store.set('fresh', 1);
    expect(store.size).toBe(1);
  });
});
