import type { DeliveryState, ReceiverKind } from '@outband/contracts';
import { Batcher, isSqlite, type Knex } from '@outband/db';

export interface MessageRecord {
  id: string;
  verificationId: string;
  address: string;
  receiverKind: ReceiverKind;
  purpose: string;
  state: DeliveryState;
  error: string | null;
  createdAt: Date;
}

interface Row {
  id: string;
  verification_id: string;
  address: string;
  receiver_kind: ReceiverKind;
  purpose: string;
  state: DeliveryState;
  error: string | null;
  created_at: Date;
}

type ClaimInput = Omit<MessageRecord, 'state' | 'error'>;

export class MessageRepository {
  // Claims of concurrent handlers share one INSERT: the database round trip is the cost.
  private readonly claims = new Batcher<ClaimInput & { now: Date }, boolean>((items) => this.insertClaims(items));

  constructor(private readonly db: Knex) {}

  /**
   * Records a message on first delivery from the bus; `fresh` when this call inserted it. A
   * message found already there (a redelivery) is read back instead.
   */
  async claim(m: ClaimInput, now: Date): Promise<MessageRecord & { fresh: boolean }> {
    if (await this.claims.add({ ...m, now })) {
      return { ...m, state: 'queued', error: null, fresh: true };
    }
    const row = await this.db<Row>('messages').where({ id: m.id }).first();
    if (!row) {
      throw new Error(`message ${m.id} vanished after insert`);
    }
    return { ...fromRow(row), fresh: false };
  }

  /**
   * One INSERT IGNORE for the batch. When every row was new, all are fresh; otherwise (a
   * redelivery in the batch) none is taken as fresh and each reads its row back: safe, rare.
   */
  private async insertClaims(items: Array<ClaimInput & { now: Date }>): Promise<boolean[]> {
    const values = items.map(() => '(?, ?, ?, ?, ?, ?, ?, ?)').join(', ');
    const params = items.flatMap((m) => [m.id, m.verificationId, m.address, m.receiverKind, m.purpose, 'queued', m.createdAt, m.now]);
    const sqlite = isSqlite(this.db);
    // MySQL answers [{ affectedRows }], SQLite { changes }.
    const result = await this.db.raw<[{ affectedRows: number }] | { changes: number }>(
      `${sqlite ? 'INSERT OR IGNORE' : 'INSERT IGNORE'} INTO messages (id, verification_id, address, receiver_kind, purpose, state, created_at, updated_at) VALUES ${values}`,
      params,
    );
    const inserted = Array.isArray(result) ? result[0]?.affectedRows : result.changes;
    const allNew = inserted === items.length;
    return items.map(() => allNew);
  }

  /** Final states come from a refusal or a receipt; a final state never changes again. */
  async markFinal(id: string, state: 'delivered' | 'failed' | 'expired', error: string | undefined, now: Date): Promise<boolean> {
    const n = await this.db('messages')
      .where({ id })
      .whereIn('state', ['queued', 'submitted'])
      .update({ state, error: error ?? null, updated_at: now });
    return n > 0;
  }
}

function fromRow(r: Row): MessageRecord {
  return {
    id: r.id,
    verificationId: r.verification_id,
    address: r.address,
    receiverKind: r.receiver_kind,
    purpose: r.purpose,
    state: r.state,
    error: r.error,
    createdAt: r.created_at,
  };
}
