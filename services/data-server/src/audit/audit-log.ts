import { createHash } from 'node:crypto';
import { Batcher, isSqlite, retryDeadlock, type Knex } from '@outband/db';

/** One audited fact. Never a code, a key or an address: ids and outcomes only. */
export interface AuditEvent {
  at: Date;
  kind:
    | 'certificate.issued'
    | 'check'
    | 'verification.canceled'
    | 'verification.refused'
    | 'subscriber.blocked'
    | 'subscriber.certified'
    | 'admin'
    /** An authenticator factor's life (`factor.created`, `.verified`, `.mismatch`, `.failed`, `.deleted`); its id is the outcome. */
    | `factor.${'created' | 'verified' | 'mismatch' | 'failed' | 'deleted'}`;
  merchantId: string | null;
  verificationId: string | null;
  subscriberId: number | null;
  outcome: string | null;
}

interface Row {
  id: number;
  chain: number;
  at: Date;
  kind: string;
  merchant_id: string | null;
  verification_id: string | null;
  subscriber_id: number | null;
  outcome: string | null;
  prev_hash: string;
  hash: string;
}

const genesis = '0'.repeat(64);

function hashOf(prev: string, e: Pick<Row, 'at' | 'kind' | 'merchant_id' | 'verification_id' | 'subscriber_id' | 'outcome'>): string {
  const canonical = JSON.stringify([prev, e.at.toISOString(), e.kind, e.merchant_id, e.verification_id, e.subscriber_id, e.outcome]);
  return createHash('sha256').update(canonical).digest('hex');
}

/** Writes the rows of one kind that a batch's events carry, all at once, in the batch's transaction. */
export type GroupWrite<T> = (trx: Knex, rows: T[]) => Promise<void>;

/** A row written in the same transaction as its audit event (both or neither). */
export interface AuditedWrite {
  readonly group: GroupWrite<never>;
  readonly row: unknown;
}

/** A row for `group`, to pass with an audit event. */
export function audited<T>(group: GroupWrite<T>, row: T): AuditedWrite {
  return { group: group as GroupWrite<never>, row };
}

/**
 * Appends events inside the caller's transaction, on one of a few chains whose head row it
 * locks: concurrent writers (in any process) each take a chain no other holds, instead of
 * queueing on one head, and every chain stays one unbroken line. Times must already be cut to
 * the millisecond the database keeps.
 */
async function appendChained(trx: Knex, events: AuditEvent[]): Promise<void> {
  if (events.length === 0) {
    return;
  }
  // SQLite has one writer: the first chain is always free there.
  const head = isSqlite(trx)
    ? await trx('audit_head').where({ id: 1 }).first<{ id: number; hash: string } | undefined>('id', 'hash')
    : (
        (await trx.raw('SELECT id, hash FROM audit_head ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED')) as [
          Array<{ id: number; hash: string }>,
        ]
      )[0][0];
  // Every chain held by another writer: wait for the first.
  const chain = head ?? (await trx('audit_head').where({ id: 1 }).forUpdate().first<{ id: number; hash: string }>('id', 'hash'));
  if (!chain) {
    throw new Error('the audit trail has no chain head: migrations did not run');
  }
  let prev = chain.hash;
  const rows = events.map((e) => {
    const row = {
      at: e.at,
      kind: e.kind,
      merchant_id: e.merchantId,
      verification_id: e.verificationId,
      subscriber_id: e.subscriberId,
      outcome: e.outcome,
    };
    const hash = hashOf(prev, row);
    const out = { ...row, chain: chain.id, prev_hash: prev, hash };
    prev = hash;
    return out;
  });
  await trx('audit_events').insert(rows);
  await trx('audit_head').where({ id: chain.id }).update({ hash: prev });
}

// What one row can cause (a duplicate key, a missing parent, a value too long), as opposed to
// the database being away or slow, which would fail every entry alike.
const rowErrors = new Set(['ER_DUP_ENTRY', 'ER_NO_REFERENCED_ROW_2', 'ER_DATA_TOO_LONG', 'ER_TRUNCATED_WRONG_VALUE', 'ER_BAD_NULL_ERROR']);

/**
 * What a group write throws to refuse its own entry (a check under the transaction's locks found
 * it must not be written): the batch's other entries are written again without it, and its
 * `append` rejects with this error.
 */
export class RefusedEntry extends Error {
  constructor(readonly refusal: unknown) {
    super('audit entry refused by its own write');
  }
}

function isRowError(e: unknown): boolean {
  if (e instanceof RefusedEntry) {
    return true;
  }
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && (rowErrors.has(code) || code.startsWith('SQLITE_CONSTRAINT'));
}

interface Entry {
  event: AuditEvent;
  writes: readonly AuditedWrite[];
}

/**
 * The audit trail: an append-only table whose rows are hash-chained. What one process appends
 * meanwhile goes in one transaction (group commit), with the rows each event carries: a start's
 * verification and certificate, a check's new attempts or end. One transaction at a time: what
 * comes meanwhile shares the next.
 */
export class AuditLog {
  private readonly batches = new Batcher<Entry, { failed: unknown } | undefined>(
    async (entries) => {
      try {
        await this.commit(entries);
        return entries.map(() => undefined);
      } catch (e) {
        if (entries.length === 1 || !isRowError(e)) {
          throw e;
        }
        // One entry's bad row must not fail the others: each again alone, with its own answer.
        // (A database away fails them all at once instead of each in turn.)
        const answers: Array<{ failed: unknown } | undefined> = [];
        for (const entry of entries) {
          answers.push(
            await this.commit([entry]).then(
              () => undefined,
              (failed: unknown) => ({ failed }),
            ),
          );
        }
        return answers;
      }
    },
    100,
    1,
  );

  constructor(private readonly db: Knex) {}

  /** Appends an event, with the rows it carries; resolves once all are committed. */
  async append(event: AuditEvent, ...writes: AuditedWrite[]): Promise<void> {
    // Times are stored to the millisecond; hash what the database keeps.
    const answer = await this.batches.add({ event: { ...event, at: new Date(Math.floor(event.at.getTime())) }, writes });
    if (answer) {
      throw answer.failed;
    }
  }

  private async commit(entries: Entry[]): Promise<void> {
    const groups = new Map<GroupWrite<never>, unknown[]>();
    for (const w of entries.flatMap((e) => e.writes)) {
      const rows = groups.get(w.group) ?? [];
      rows.push(w.row);
      groups.set(w.group, rows);
    }
    // Inserts can deadlock with the cleanup of other rows (gap locks): the victim runs again.
    await retryDeadlock(() =>
      this.db.transaction(async (trx) => {
        for (const [group, rows] of groups) {
          await group(trx, rows as never[]);
        }
        // Last: the chain's head stays locked only until the commit that follows.
        await appendChained(
          trx,
          entries.map((e) => e.event),
        );
      }),
    );
  }

  /** Walks the trail in order, each row against the last of its chain; answers the first row whose link or hash does not hold. */
  async verify(): Promise<{ rows: number; firstBroken: number | undefined }> {
    const last = new Map<number, string>();
    let rows = 0;
    let after = 0;
    for (;;) {
      const chunk = await this.db<Row>('audit_events').where('id', '>', after).orderBy('id').limit(1000);
      for (const r of chunk) {
        const prev = last.get(r.chain) ?? genesis;
        if (r.prev_hash !== prev || hashOf(prev, r) !== r.hash) {
          return { rows, firstBroken: r.id };
        }
        last.set(r.chain, r.hash);
        rows += 1;
        after = r.id;
      }
      if (chunk.length < 1000) {
        return { rows, firstBroken: undefined };
      }
    }
  }
}
