import { Batcher, isSqlite, retryDeadlock, type Knex } from '@outband/db';
import type { DeliveryAttempt, DeliveryState, Purpose, VerificationStatus } from '@outband/contracts';

/** One code delivered to one address: the record the patent keeps of every certificate. */
export interface CertificateRecord {
  id: string;
  verificationId: string;
  address: string;
  purpose: Purpose;
  deliveryState: DeliveryState;
  deliveryError: string | null;
  smscMessageId: string | null;
  outcome: VerificationStatus;
  createdAt: Date;
  deliveryUpdatedAt: Date;
  /** For purpose `message`: the SHA-256 of the certified text. */
  contentDigest?: string | null;
  /** What the operator's network said of the address before this code went to it, and what was done. */
  numberCheck?: string | null;
}

// A later state never goes back to an earlier one (receipts can overtake submit responses).
const stateRank: Record<DeliveryState, number> = { queued: 0, submitted: 1, delivered: 2, failed: 2, expired: 2 };

/** What the message server reported of a message: recorded on its certificate and attempt. */
export interface DeliveryReport {
  messageId: string;
  state: DeliveryState;
  at: Date;
  smscMessageId?: string | undefined;
  error?: string | undefined;
  attempt?: DeliveryAttempt | undefined;
}

/** Whose a message is: its verification, merchant, and when its code was asked for. */
export interface CertificateOwner {
  verificationId: string;
  merchantId: string;
  createdAt: Date;
}

// A state's rank in SQL, for upserts that must not go back.
const rankSql = (column: string) =>
  `CASE ${column} ${Object.entries(stateRank)
    .map(([s, r]) => `WHEN '${s}' THEN ${r}`)
    .join(' ')} END`;

export class CertificateRepository {
  // Owners of recently issued messages, so their status reports need no query (bounded, oldest out).
  private readonly owners = new Map<string, CertificateOwner>();

  // Reports that arrive together share their statements: one upsert of their attempts, one update
  // per state. Each statement may run again (a deadlock victim) without harm; if the batch still
  // fails, each of its reports is retried by the bus.
  private readonly reports = new Batcher<DeliveryReport, undefined>(async (rs) => {
    await retryDeadlock(() => this.applyReports(rs));
    return rs.map(() => undefined);
  });

  constructor(
    private readonly db: Knex,
    private readonly maxOwners = 20_000,
  ) {}

  /** Remembers whose a message is, at issue, for its status reports. */
  rememberOwner(messageId: string, owner: CertificateOwner): void {
    this.owners.set(messageId, owner);
    if (this.owners.size > this.maxOwners) {
      this.owners.delete(this.owners.keys().next().value as string);
    }
  }

  /** Inserts certificates, inside the caller's transaction when given one. */
  async insert(cs: CertificateRecord[], trx: Knex = this.db): Promise<void> {
    await trx('certificates').insert(
      cs.map((c) => ({
        id: c.id,
        verification_id: c.verificationId,
        address: c.address,
        purpose: c.purpose,
        delivery_state: c.deliveryState,
        delivery_error: c.deliveryError,
        smsc_message_id: c.smscMessageId,
        outcome: c.outcome,
        created_at: c.createdAt,
        delivery_updated_at: c.deliveryUpdatedAt,
        content_digest: c.contentDigest ?? null,
        number_check: c.numberCheck ?? null,
      })),
    );
  }

  /**
   * Records a delivery report: its attempt first (once the certificate shows a final state, its
   * attempt shows it too), then the certificate's state. Stale or repeated reports change nothing.
   */
  async recordDelivery(report: DeliveryReport): Promise<void> {
    await this.reports.add(report);
  }

  private async applyReports(rs: DeliveryReport[]): Promise<void> {
    await this.upsertAttempts(rs.flatMap((r) => (r.attempt ? [{ certificateId: r.messageId, attempt: r.attempt, at: r.at }] : [])));
    // Lower states first, as if applied in order: a receipt that overtook its submit still wins.
    const states = [...new Set(rs.map((r) => r.state))].sort((a, b) => stateRank[a] - stateRank[b]);
    for (const state of states) {
      await this.updateDeliveries(
        state,
        rs.filter((r) => r.state === state),
      );
    }
  }

  /** Moves certificates up to `state`, never back; each keeps its SMSC id and error unless the report has one. */
  private async updateDeliveries(state: DeliveryState, rs: DeliveryReport[]): Promise<void> {
    const lowerStates = (Object.keys(stateRank) as DeliveryState[]).filter((s) => stateRank[s] < stateRank[state]);
    // The first report of a message wins, as one by one: a repeat in the same state (a redelivery
    // re-reports `submitted` without its SMSC id) finds the state already moved and changes nothing.
    const byId = [...new Map([...rs].reverse().map((r) => [r.messageId, r])).values()];
    const perRow = (column: string, value: (r: DeliveryReport) => Date | string | null, then = '?') =>
      this.db.raw(
        `CASE id ${byId.map(() => `WHEN ? THEN ${then}`).join(' ')} ELSE ${column} END`,
        byId.flatMap((r) => [r.messageId, value(r)]),
      );
    await this.db('certificates')
      .whereIn(
        'id',
        byId.map((r) => r.messageId),
      )
      .whereIn('delivery_state', lowerStates)
      .update({
        delivery_state: state,
        delivery_updated_at: perRow('delivery_updated_at', (r) => r.at),
        smsc_message_id: perRow('smsc_message_id', (r) => r.smscMessageId || null, 'COALESCE(?, smsc_message_id)'),
        delivery_error: perRow('delivery_error', (r) => r.error || null, 'COALESCE(?, delivery_error)'),
      });
  }

  /** The verification and merchant a delivered message belongs to (none for a notice). */
  /** The verification and merchant of a message, and when its code was asked for. */
  async ownerOf(messageId: string): Promise<CertificateOwner | undefined> {
    const known = this.owners.get(messageId);
    if (known) {
      return known;
    }
    const row = await this.db('certificates as c')
      .join('verifications as v', 'v.id', 'c.verification_id')
      .where('c.id', messageId)
      .first<{ verification_id: string; merchant_id: string; created_at: Date } | undefined>(
        'c.verification_id',
        'v.merchant_id',
        'c.created_at',
      );
    return row ? { verificationId: row.verification_id, merchantId: row.merchant_id, createdAt: row.created_at } : undefined;
  }

  async setOutcome(verificationId: string, outcome: VerificationStatus): Promise<void> {
    await writeOutcomes(this.db, [{ verificationId, outcome }]);
  }

  async latestFor(verificationId: string): Promise<{ state: DeliveryState; updatedAt: Date; error: string | null } | undefined> {
    const row = await this.db('certificates')
      .where({ verification_id: verificationId })
      .orderBy('created_at', 'desc')
      .first<{ delivery_state: DeliveryState; delivery_updated_at: Date; delivery_error: string | null } | undefined>();
    return row ? { state: row.delivery_state, updatedAt: row.delivery_updated_at, error: row.delivery_error } : undefined;
  }

  /** Records what the message server reported of attempts; reports may overtake each other, so a state never goes back. */
  private async upsertAttempts(reports: Array<{ certificateId: string; attempt: DeliveryAttempt; at: Date }>): Promise<void> {
    if (reports.length === 0) {
      return;
    }
    const rows = reports.map(({ certificateId, attempt: a, at }) => ({
      certificate_id: certificateId,
      attempt: a.number,
      route: a.route,
      submitted_at: a.submittedAt ? new Date(a.submittedAt) : null,
      smsc_message_ids: a.smscMessageIds.join(',').slice(0, 1000),
      state: a.state,
      error: a.error ?? null,
      updated_at: at,
    }));
    // One statement: each row inserted, or updated only by a report that is not earlier (state
    // last: MySQL assigns left to right, so the conditions above it still see the stored state).
    // The incoming row is VALUES(x) on MySQL, excluded.x on SQLite; both apply the rows in order.
    const incoming = (column: string) => (isSqlite(this.db) ? `excluded.${column}` : `VALUES(${column})`);
    const notEarlier = `${rankSql(incoming('state'))} >= ${rankSql('state')}`;
    const ifLater = (column: string, value = incoming(column)) => this.db.raw(`CASE WHEN ${notEarlier} THEN ${value} ELSE ${column} END`);
    await this.db('delivery_attempts')
      .insert(rows)
      .onConflict(['certificate_id', 'attempt'])
      .merge({
        route: ifLater('route'),
        submitted_at: ifLater('submitted_at', `COALESCE(${incoming('submitted_at')}, submitted_at)`),
        smsc_message_ids: ifLater('smsc_message_ids'),
        error: ifLater('error'),
        updated_at: ifLater('updated_at'),
        state: ifLater('state'),
      });
  }

  /**
   * A verification's delivery in one query: the state of its newest certificate, and every
   * attempt of every certificate, oldest first.
   */
  async deliveryOf(verificationId: string): Promise<VerificationDelivery> {
    const rows = await this.db('certificates as c')
      .leftJoin('delivery_attempts as a', 'a.certificate_id', 'c.id')
      .where('c.verification_id', verificationId)
      .orderBy(deliveryOrder)
      .select<DeliveryRow[]>(deliveryColumns);
    return deliveryFromRows(rows);
  }
}

/** Records how verifications ended on their pending certificates, one statement per outcome. */
export async function writeOutcomes(db: Knex, rows: Array<{ verificationId: string; outcome: VerificationStatus }>): Promise<void> {
  for (const outcome of new Set(rows.map((r) => r.outcome))) {
    await db('certificates')
      .whereIn(
        'verification_id',
        rows.filter((r) => r.outcome === outcome).map((r) => r.verificationId),
      )
      .where({ outcome: 'pending' })
      .update({ outcome });
  }
}

/** What a verification's certificates say of its delivery. */
export interface VerificationDelivery {
  /** The newest certificate's state. */
  latest: { state: DeliveryState; updatedAt: Date; error: string | null } | undefined;
  attempts: DeliveryAttempt[];
}

/** One row of certificates `c` joined to their attempts `a`. */
export interface DeliveryRow {
  delivery_state: DeliveryState | null;
  delivery_updated_at: Date | null;
  delivery_error: string | null;
  attempt: number | null;
  route: string;
  submitted_at: Date | null;
  smsc_message_ids: string;
  state: DeliveryState;
  error: string | null;
}

/** The columns a delivery is read from, certificates as `c` and their attempts as `a`, for queries that join them. */
export const deliveryColumns = [
  'c.delivery_state',
  'c.delivery_updated_at',
  'c.delivery_error',
  'a.attempt',
  'a.route',
  'a.submitted_at',
  'a.smsc_message_ids',
  'a.state',
  'a.error',
];

/** Oldest certificate first, each one's attempts in order. */
export const deliveryOrder = [{ column: 'c.created_at' }, { column: 'c.id' }, { column: 'a.attempt' }];

/** The delivery the rows of `deliveryColumns` in `deliveryOrder` tell; rows without a certificate count for nothing. */
export function deliveryFromRows(all: DeliveryRow[]): VerificationDelivery {
  const rows = all.filter((r) => r.delivery_state !== null);
  const last = rows[rows.length - 1];
  return {
    latest:
      last?.delivery_state && last.delivery_updated_at
        ? { state: last.delivery_state, updatedAt: last.delivery_updated_at, error: last.delivery_error }
        : undefined,
    attempts: rows.flatMap((r) =>
      r.attempt === null
        ? []
        : [
            {
              number: r.attempt,
              route: r.route,
              ...(r.submitted_at ? { submittedAt: r.submitted_at.toISOString() } : {}),
              smscMessageIds: r.smsc_message_ids ? r.smsc_message_ids.split(',') : [],
              state: r.state,
              ...(r.error ? { error: r.error } : {}),
            },
          ],
    ),
  };
}
