import { LuaScript, type RedisClient } from '@outband/redis-limits';

/** The bind slots of one SMSC account this replica may use now. */
export interface BindGrant {
  /** Submitting slots it holds (0-based); those beyond `share` are to be drained and freed. */
  slots: number[];
  /** How many submitting slots this replica may hold (0: a spare, beyond the account's binds). */
  share: number;
  /** Whether it holds the account's receiver bind (transmitter mode). */
  receiver: boolean;
  /** Replicas sharing the account. */
  live: number;
}

/**
 * Who may bind which slot of an SMSC account. Alone, a server holds every slot; replicas share
 * them through leases, so together they never open more binds than the account has.
 */
export interface BindBudget {
  /** How long a grant holds without a renewal: past it, binds are closed. */
  readonly leaseMs: number;
  /** Renews this replica's leases and takes free slots up to its share. */
  refresh(): Promise<BindGrant>;
  /** Frees slots (and the receiver) this replica holds; `leaving` also ends its heartbeat. */
  release(slots: number[] | 'all', receiver: boolean, leaving: boolean): Promise<void>;
}

/** A server alone on its account: every slot is its own. */
export class WholeBindBudget implements BindBudget {
  readonly leaseMs = Infinity;

  constructor(
    private readonly binds: number,
    private readonly hasReceiver: boolean,
  ) {}

  refresh(): Promise<BindGrant> {
    return Promise.resolve({
      slots: Array.from({ length: this.binds }, (_, i) => i),
      share: this.binds,
      receiver: this.hasReceiver,
      live: 1,
    });
  }

  release(): Promise<void> {
    return Promise.resolve();
  }
}

const leaseScript = LuaScript.fromFile(__dirname, 'bind-leases');
const releaseScript = LuaScript.fromFile(__dirname, 'bind-release');

/** Where one SMSC account's shared state lives in Redis: one hash tag, one cluster slot. */
export function accountKey(prefix: string, connectionId: string): string {
  return `${prefix}:{smpp:${connectionId}}`;
}

/** Replicas sharing an account through leases in Redis (one key per bind slot, renewed). */
export class LeasedBindBudget implements BindBudget {
  private readonly members: string;
  private readonly joined: string;
  private readonly slotKeys: string[];
  private readonly receiverKey: string | undefined;

  constructor(
    private readonly redis: RedisClient,
    key: string,
    private readonly replica: string,
    binds: number,
    hasReceiver: boolean,
    readonly leaseMs: number,
  ) {
    this.members = `${key}:replicas`;
    this.joined = `${key}:joined`;
    this.slotKeys = Array.from({ length: binds }, (_, i) => `${key}:bind:${i}`);
    this.receiverKey = hasReceiver ? `${key}:receiver` : undefined;
  }

  async refresh(): Promise<BindGrant> {
    const keys = [this.members, this.joined, ...this.slotKeys, ...(this.receiverKey ? [this.receiverKey] : [])];
    const answer = (await leaseScript.run(this.redis, keys, [this.replica, this.leaseMs, this.slotKeys.length])) as number[];
    const [live = 1, share = 0, receiver = 0, ...slots] = answer.map(Number);
    return { live, share, receiver: receiver === 1, slots: slots.sort((a, b) => a - b) };
  }

  async release(slots: number[] | 'all', receiver: boolean, leaving: boolean): Promise<void> {
    // The script frees only the leases this replica holds: 'all' may name the others' too.
    const keys = (slots === 'all' ? this.slotKeys : slots.map((i) => this.slotKeys[i])).filter((k): k is string => k !== undefined);
    if (receiver && this.receiverKey) {
      keys.push(this.receiverKey);
    }
    await releaseScript.run(this.redis, [this.members, this.joined, ...keys], [this.replica, leaving ? '1' : '0']);
  }
}
