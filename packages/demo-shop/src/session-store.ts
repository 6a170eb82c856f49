export interface SessionStoreOptions {
  /** Most sessions kept; the least recently used goes first beyond it. @defaultValue 10 000 */
  maxSessions?: number;
  /** A session unused this long is forgotten. @defaultValue 30 min */
  idleMs?: number;
  /** The clock (tests move it). @defaultValue Date.now */
  now?: () => number;
}

/**
 * Browser sessions in memory, bounded in number and in idle time: anyone can open sessions (a
 * cookie-less request makes one), so an unbounded map would grow until the process dies.
 */
export class SessionStore<T> {
  // A Map keeps insertion order: re-inserting on use keeps the least recently used first.
  private readonly sessions = new Map<string, { value: T; usedAt: number }>();
  private readonly maxSessions: number;
  private readonly idleMs: number;
  private readonly now: () => number;

  constructor(o: SessionStoreOptions = {}) {
    this.maxSessions = o.maxSessions ?? 10_000;
    this.idleMs = o.idleMs ?? 30 * 60_000;
    this.now = o.now ?? Date.now;
  }

  get size(): number {
    return this.sessions.size;
  }

  /** The session, if it exists and was used within the idle time; using it keeps it alive. */
  get(id: string): T | undefined {
    const found = this.sessions.get(id);
    if (!found) {
      return undefined;
    }
    this.sessions.delete(id);
    if (this.now() - found.usedAt > this.idleMs) {
      return undefined;
    }
    this.sessions.set(id, { value: found.value, usedAt: this.now() });
    return found.value;
  }

  /** Keeps a new session, first dropping idle ones and, if still full, the least recently used. */
  set(id: string, value: T): void {
    this.sessions.delete(id);
    this.sweep();
    while (this.sessions.size >= this.maxSessions) {
      const oldest = this.sessions.keys().next();
      if (oldest.done) {
        break;
      }
      this.sessions.delete(oldest.value);
    }
    this.sessions.set(id, { value, usedAt: this.now() });
  }

  // Oldest first: stops at the first session still in use.
  private sweep(): void {
    const now = this.now();
    for (const [id, s] of this.sessions) {
      if (now - s.usedAt <= this.idleMs) {
        return;
      }
      this.sessions.delete(id);
    }
  }
}
