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
}

export class MessageRepository {
  constructor(private readonly db: Knex) {}

  /** Records a message on first delivery from the bus; a redelivery finds the existing row. */
  async claim(m: Omit<MessageRecord, 'state' | 'smscMessageId' | 'error'>, now: Date): Promise<MessageRecord> {
    await this.db('messages')
      .insert({
        id: m.id,
        verification_id: m.verificationId,
        address: m.address,
        receiver_kind: m.receiverKind,
        purpose: m.purpose,
        state: 'queued',
        created_at: m.createdAt,
        updated_at: now,
      })
      .onConflict('id')
      .ignore();
    const row = await this.db<Row>('messages').where({ id: m.id }).first();
    if (!row) {
      throw new Error(`message ${m.id} vanished after insert`);
    }
    return fromRow(row);
  }

  /** Numbers the next delivery attempt of a message (1, 2 …). */
  async nextAttempt(id: string): Promise<number> {
    await this.db('messages').where({ id }).increment('submit_attempts', 1);
    const row = await this.db('messages').where({ id }).first<{ submit_attempts: number } | undefined>('submit_attempts');
    return row?.submit_attempts ?? 1;
  }

  async markSubmitted(id: string, smscMessageId: string, now: Date): Promise<void> {
    await this.db('messages')
      .where({ id, state: 'queued' })
      .update({ state: 'submitted', smsc_message_id: smscMessageId, submitted_at: now, updated_at: now });
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
  };
}
