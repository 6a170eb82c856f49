import type { Knex } from '@outband/db';
import type { DeliveryAttempt } from '@outband/contracts';

type SubmitState = 'submitted' | 'delivered' | 'failed' | 'expired';

/** A submitted part that a receipt names, with what is needed to report on its message. */
export interface SubmitRow {
  id: number;
  messageId: string;
  verificationId: string;
  attempt: number;
  routeId: string;
  smscMessageId: string | null;
  state: SubmitState;
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

/** The submit_sm of each attempt, part by part. */
export class SubmitRepository {
  constructor(private readonly db: Knex) {}

  /** Records an attempt: one row per accepted part, or one failed row when no part was taken. */
  async record(
    messageId: string,
    attempt: number,
    route: { id: string; connection: string },
    smscIds: string[],
    state: SubmitState,
    error: string | undefined,
    now: Date,
  ): Promise<void> {
    const ids = smscIds.length > 0 ? smscIds : [null];
    await this.db('submits').insert(
      ids.map((smscId, i) => ({
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
      })),
    );
  }

  /** The part a receipt from `connectionId` names; SMSCs may write the id in hex or decimal. */
  async findBySmscId(connectionId: string, smscId: string): Promise<SubmitRow | undefined> {
    const row = await this.db('submits as s')
      .join('messages as m', 'm.id', 's.message_id')
      .where('s.connection_id', connectionId)
      .whereIn('s.smsc_message_id', idForms(smscId))
      .orderBy('s.id', 'desc')
      .first<(Row & { verification_id: string }) | undefined>('s.*', 'm.verification_id');
    return row
      ? {
          id: row.id,
          messageId: row.message_id,
          verificationId: row.verification_id,
          attempt: row.attempt,
          routeId: row.route_id,
          smscMessageId: row.smsc_message_id,
          state: row.state,
        }
      : undefined;
  }

  /** Sets a part's final state once; returns false when it already had one. */
  async finish(id: number, state: Exclude<SubmitState, 'submitted'>, error: string | undefined, now: Date): Promise<boolean> {
    const n = await this.db('submits')
      .where({ id, state: 'submitted' })
      .update({ state, error: error ?? null, updated_at: now });
    return n > 0;
  }

  /** An attempt as the data server shows it, its state the worst of its parts. */
  async attempt(messageId: string, attempt: number): Promise<DeliveryAttempt | undefined> {
    const rows = await this.db<Row>('submits').where({ message_id: messageId, attempt }).orderBy('part');
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
    const error = rows.find((r) => r.error)?.error ?? undefined;
    return {
      number: attempt,
      route: first.route_id,
      ...(first.submitted_at ? { submittedAt: first.submitted_at.toISOString() } : {}),
      smscMessageIds: rows.map((r) => r.smsc_message_id).filter((id): id is string => !!id),
      state,
      ...(error ? { error } : {}),
    };
  }
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
