import type { Knex } from '@outband/db';
import type { DeliveryState, ReceiverKind } from '@outband/contracts';

export interface MessageRecord {
  id: string;
  verificationId: string;
  address: string;
  receiverKind: ReceiverKind;
  purpose: string;
  state: DeliveryState;
  smscMessageId: string | null;
  error: string | null;
  createdAt: Date;
  /** Delivery attempts made so far. */
  attempts: number;
}

interface Row {
  id: string;
  verification_id: string;
  address: string;
  receiver_kind: ReceiverKind;
  purpose: string;
  state: DeliveryState;
  smsc_message_id: string | null;
  error: string | null;
  created_at: Date;
  submit_attempts: number;
}

export class MessageRepository {
  constructor(private readonly db: Knex) {}

  /**
   * Records a message on first delivery from the bus (one statement); a redelivery finds the
   * existing row instead.
   */
  async claim(
    m: Omit<MessageRecord, 'state' | 'smscMessageId' | 'error' | 'attempts'>,
    now: Date,
  ): Promise<MessageRecord & { fresh: boolean }> {
    const [result] = (await this.db.raw(
      'INSERT IGNORE INTO messages (id, verification_id, address, receiver_kind, purpose, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
      [m.id, m.verificationId, m.address, m.receiverKind, m.purpose, 'queued', m.createdAt, now],
    )) as [{ affectedRows: number }];
    if (result.affectedRows === 1) {
      return { ...m, state: 'queued', smscMessageId: null, error: null, attempts: 0, fresh: true };
    }
    const row = await this.db<Row>('messages').where({ id: m.id }).first();
    if (!row) {
      throw new Error(`message ${m.id} vanished after insert`);
    }
    return { ...fromRow(row), fresh: false };
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
    smscMessageId: r.smsc_message_id,
    error: r.error,
    createdAt: r.created_at,
    attempts: r.submit_attempts,
  };
}
