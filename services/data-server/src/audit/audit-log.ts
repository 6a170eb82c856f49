import { createHash } from 'node:crypto';
import { Batcher, isSqlite, type Knex } from '@outband/db';

/** One audited fact. Never a code, a key or an address: ids and outcomes only. */
export interface AuditEvent {
  at: Date;
  kind: 'certificate.issued' | 'check' | 'verification.canceled' | 'subscriber.blocked' | 'admin';
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

/**
 * Appends events inside the caller's transaction, on one of a few chains whose head row it
 * locks: concurrent writers (in any process) each take a chain no other holds, instead of
 * queueing on one head, and every chain stays one unbroken line. Times must already be cut to
 * the millisecond the database keeps.
 */
export async function appendChained(trx: Knex, events: AuditEvent[]): Promise<void> {
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

/** Times are stored to the millisecond; hash what the database keeps. */
export function auditedAt(event: AuditEvent): AuditEvent {
  return { ...event, at: new Date(Math.floor(event.at.getTime())) };
}

/** The audit trail: an append-only table whose rows are hash-chained. Events of one turn are written in one transaction. */
export class AuditLog {
  private readonly batches = new Batcher<AuditEvent, undefined>(async (events) => {
    await this.db.transaction((trx) => appendChained(trx, events));
    return events.map(() => undefined);
  });

  constructor(private readonly db: Knex) {}

  async append(event: AuditEvent): Promise<void> {
    await this.batches.add(auditedAt(event));
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
