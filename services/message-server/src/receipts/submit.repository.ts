import type { DeliveryAttempt } from '@outband/contracts';
import { Batcher, isSqlite, type Knex } from '@outband/db';
import { statusError } from './status-publisher';

type SubmitState = 'submitted' | 'delivered' | 'failed' | 'expired';
type FinalState = Exclude<SubmitState, 'submitted'>;

/** A submitted part that a receipt names, with what is needed to report on its message. */
export interface SubmitRow {
  id: number;
  messageId: string;
  verificationId: string;
  attempt: number;
  routeId: string;
  part: number;
  parts: number;
  smscMessageId: string | null;
  state: SubmitState;
  submittedAt: Date | null;
}

interface Row {
  id: number;
  message_id: string;
  attempt: number;
  route_id: string;
  part: number;
  parts: number;
  smsc_message_id: string | null;
  state: SubmitState;
  error: string | null;
  submitted_at: Date | null;
}

/** The submit_sm of each attempt, part by part, and the message state they decide. */
export class SubmitRepository {
  constructor(private readonly db: Knex) {}

  /** Records a failed attempt: the parts the SMSC took before it failed, or one empty row. */
  async recordFailed(
    messageId: string,
    attempt: number,
    route: { id: string; connection: string },
    smscIds: string[],
    error: string,
    now: Date,
  ): Promise<void> {
    await this.db('submits').insert(rowsOf(messageId, attempt, route, smscIds, 'failed', error, now));
  }

  /**
   * Records the parts an SMSC accepted: one statement, since every round trip to the database
   * costs more than the rest of a message's work. A message with an accepted attempt is
   * "submitted" (see `hasAccepted`).
   */
  async recordSubmitted(
    messageId: string,
    attempt: number,
    route: { id: string; connection: string },
    smscIds: string[],
    now: Date,
  ): Promise<void> {
    await this.accepted.add(rowsOf(messageId, attempt, route, smscIds, 'submitted', undefined, now));
  }

  // Accepted parts of concurrent handlers share one INSERT.
  private readonly accepted = new Batcher<object[], undefined>(async (batches) => {
    await this.db('submits').insert(batches.flat());
    return batches.map(() => undefined);
  });

  /** Whether an SMSC already accepted an attempt of this message (a redelivery must not resend). */
  async hasAccepted(messageId: string): Promise<boolean> {
    const row = await this.db('submits')
      .where({ message_id: messageId })
      .whereNot({ state: 'failed' })
      .first<{ id: number } | undefined>('id');
    return row !== undefined;
  }

  /** The highest attempt number recorded for a message (0 when none). */
  async lastAttempt(messageId: string): Promise<number> {
    const row = await this.db('submits').where({ message_id: messageId }).max<{ n: number | null }>('attempt as n').first();
    return row?.n ?? 0;
  }

  /** The part a receipt from `connectionId` names; SMSCs may write the id in hex or decimal. */
  async findBySmscId(connectionId: string, smscId: string): Promise<SubmitRow | undefined> {
    return this.lookups.add({ connectionId, smscId });
  }

  // Receipts arriving together are looked up with one query per connection.
  private readonly lookups = new Batcher<{ connectionId: string; smscId: string }, SubmitRow | undefined>(async (items) => {
    const found = new Map<string, Array<Row & { verification_id: string }>>();
    for (const connectionId of new Set(items.map((i) => i.connectionId))) {
      const forms = items.filter((i) => i.connectionId === connectionId).flatMap((i) => idForms(i.smscId));
      const rows = await this.db('submits as s')
        .join('messages as m', 'm.id', 's.message_id')
        .where('s.connection_id', connectionId)
        .whereIn('s.smsc_message_id', forms)
        .orderBy('s.id', 'desc')
        .select<Array<Row & { verification_id: string }>>('s.*', 'm.verification_id');
      found.set(connectionId, rows);
    }
    return items.map((i) => {
      const forms = idForms(i.smscId);
      const row = found.get(i.connectionId)?.find((r) => r.smsc_message_id !== null && forms.includes(r.smsc_message_id));
      return row ? toSubmitRow(row) : undefined;
    });
  });

  /** The same settlement on SQLite, which updates one table per statement: messages first, while their submits still read `submitted`. */
  private async settleSqlite(fresh: Array<{ row: SubmitRow; state: FinalState; error: string | undefined; now: Date }>): Promise<void> {
    const now = fresh[0]?.now ?? new Date();
    const ids = fresh.map((i) => i.row.id);
    // state = CASE id WHEN … THEN … END, error = …: each row's own values, keyed by the updated table's id.
    const settle = (key: (i: (typeof fresh)[number]) => string | number) => {
      const cases = `CASE id ${fresh.map(() => 'WHEN ? THEN ?').join(' ')} END`;
      return {
        sql: `state = ${cases}, error = ${cases}, updated_at = ?`,
        params: [
          ...fresh.flatMap((i): Array<string | number> => [key(i), i.state]),
          ...fresh.flatMap((i): Array<string | number | null> => [key(i), i.error ?? null]),
          now,
        ],
      };
    };
    const marks = ids.map(() => '?').join(', ');
    await this.db.transaction(async (trx) => {
      const messages = settle((i) => i.row.messageId);
      await trx.raw(
        `UPDATE messages SET ${messages.sql}
          WHERE id IN (SELECT message_id FROM submits WHERE id IN (${marks}) AND state = 'submitted') AND state IN ('queued', 'submitted')`,
        [...messages.params, ...ids],
      );
      const submits = settle((i) => i.row.id);
      await trx.raw(`UPDATE submits SET ${submits.sql} WHERE id IN (${marks}) AND state = 'submitted'`, [...submits.params, ...ids]);
    });
  }

  /**
   * Applies a receipt to its part; when that settles the attempt, the message takes the
   * attempt's state in the same transaction. Returns the settled attempt, or undefined when
   * nothing is final yet (or the receipt was a repeat).
   */
  async applyReceipt(row: SubmitRow, state: FinalState, error: string | undefined, now: Date): Promise<DeliveryAttempt | undefined> {
    if (row.parts === 1) {
      return this.singleParts.add({ row, state, error, now });
    }
    return this.db.transaction(async (trx) => {
      const changed = await trx('submits')
        .where({ id: row.id, state: 'submitted' })
        .update({ state, error: error ?? null, updated_at: now });
      if (changed === 0) {
        return undefined;
      }
      const attempt = await this.attemptIn(trx, row.messageId, row.attempt);
      if (!attempt || attempt.state === 'submitted' || attempt.state === 'queued') {
        return undefined;
      }
      const moved = await trx('messages')
        .where({ id: row.messageId })
        .whereIn('state', ['queued', 'submitted'])
        .update({ state: attempt.state, error: attempt.error ?? null, updated_at: now });
      return moved > 0 ? attempt : undefined;
    });
  }

  /**
   * Single-part receipts arriving together settle their parts and messages in one statement.
   * A repeated receipt (the SMSC resends when our answer was an error) reports the final state
   * again, in case the first report was lost; the data server ignores what it already knows.
   */
  private readonly singleParts = new Batcher<
    { row: SubmitRow; state: FinalState; error: string | undefined; now: Date },
    DeliveryAttempt | undefined
  >(async (items) => {
    const fresh = items.filter((i) => i.row.state === 'submitted');
    if (fresh.length > 0 && isSqlite(this.db)) {
      await this.settleSqlite(fresh);
    } else if (fresh.length > 0) {
      const cases = (value: (i: (typeof fresh)[number]) => string | null) => ({
        sql: `CASE s.id ${fresh.map(() => 'WHEN ? THEN ?').join(' ')} END`,
        params: fresh.flatMap((i): Array<string | number | null> => [i.row.id, value(i)]),
      });
      const state = cases((i) => i.state);
      const error = cases((i) => i.error ?? null);
      const now = fresh[0]?.now ?? new Date();
      await this.db.raw(
        `UPDATE submits s JOIN messages m ON m.id = s.message_id
              SET s.state = ${state.sql}, s.error = ${error.sql}, s.updated_at = ?,
                  m.state = ${state.sql}, m.error = ${error.sql}, m.updated_at = ?
            WHERE s.id IN (${fresh.map(() => '?').join(', ')}) AND s.state = 'submitted' AND m.state IN ('queued', 'submitted')`,
        [...state.params, ...error.params, now, ...state.params, ...error.params, now, ...fresh.map((i) => i.row.id)],
      );
    }
    return items.map(({ row, state, error }) =>
      attemptOf(
        row.attempt,
        row.routeId,
        row.submittedAt,
        row.smscMessageId ? [row.smscMessageId] : [],
        row.state === 'submitted' ? state : row.state,
        error,
      ),
    );
  });

  /** An attempt as the data server shows it, its state the worst of its parts. */
  async attempt(messageId: string, attempt: number): Promise<DeliveryAttempt | undefined> {
    return this.attemptIn(this.db, messageId, attempt);
  }

  private async attemptIn(db: Knex, messageId: string, attempt: number): Promise<DeliveryAttempt | undefined> {
    const rows = await db<Row>('submits').where({ message_id: messageId, attempt }).orderBy('part');
    const first = rows[0];
    if (!first) {
      return undefined;
    }
    const states = rows.map((r) => r.state);
    const state: SubmitState = states.includes('failed')
      ? 'failed'
      : states.includes('expired')
        ? 'expired'
        : states.every((s) => s === 'delivered')
          ? 'delivered'
          : 'submitted';
    const ids = rows.map((r) => r.smsc_message_id).filter((id): id is string => !!id);
    return attemptOf(attempt, first.route_id, first.submitted_at, ids, state, rows.find((r) => r.error)?.error ?? undefined);
  }
}

/** The submits rows of one attempt: one per part the SMSC took, or one empty row. */
function rowsOf(
  messageId: string,
  attempt: number,
  route: { id: string; connection: string },
  smscIds: string[],
  state: SubmitState,
  error: string | undefined,
  now: Date,
): object[] {
  const ids = smscIds.length > 0 ? smscIds : [null];
  return ids.map((smscId, i) => ({
    message_id: messageId,
    attempt,
    route_id: route.id,
    connection_id: route.connection,
    part: i + 1,
    parts: ids.length,
    smsc_message_id: smscId || null,
    state,
    error: error ?? null,
    submitted_at: state === 'submitted' ? now : null,
    updated_at: now,
  }));
}

function toSubmitRow(row: Row & { verification_id: string }): SubmitRow {
  return {
    id: row.id,
    messageId: row.message_id,
    verificationId: row.verification_id,
    attempt: row.attempt,
    routeId: row.route_id,
    part: row.part,
    parts: row.parts,
    smscMessageId: row.smsc_message_id,
    state: row.state,
    submittedAt: row.submitted_at,
  };
}

/** The attempt object of the bus contract, its error shortened as the contract wants. */
export function attemptOf(
  number: number,
  route: string,
  submittedAt: Date | null,
  smscMessageIds: string[],
  state: DeliveryAttempt['state'],
  error: string | undefined,
): DeliveryAttempt {
  return {
    number,
    route,
    ...(submittedAt ? { submittedAt: submittedAt.toISOString() } : {}),
    smscMessageIds: smscMessageIds.filter(Boolean),
    state,
    ...(error ? { error: statusError(error) } : {}),
  };
}

/** The forms one id may take: as given, and its decimal/hex counterpart. */
export function idForms(id: string): string[] {
  const forms = new Set([id, id.toLowerCase(), id.toUpperCase()]);
  if (/^\d{1,15}$/.test(id)) {
    const hex = BigInt(id).toString(16);
    forms.add(hex).add(hex.toUpperCase());
  }
  if (/^[0-9a-f]{1,12}$/i.test(id)) {
    forms.add(BigInt(`0x${id}`).toString(10));
  }
  return [...forms];
}
