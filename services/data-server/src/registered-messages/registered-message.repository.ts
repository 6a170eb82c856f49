import type { Knex } from '@outband/db';

export type RegisteredState = 'awaiting_confirmation' | 'deposited' | 'retrieved' | 'abandoned';

export interface RegisteredRecord {
  id: string;
  merchantId: string;
  senderId: number;
  addresseeId: number;
  state: RegisteredState;
  /** The content sealed with a content key (its id inside); null once deleted after retention. */
  sealedContent: string | null;
  contentDigest: string;
  sizeBytes: number;
  senderVerificationId: string | null;
  retrievalVerificationId: string | null;
  createdAt: Date;
  depositedAt: Date | null;
  retrievedAt: Date | null;
  contentDeletedAt: Date | null;
}

interface Row {
  id: string;
  merchant_id: string;
  sender_id: number;
  addressee_id: number;
  state: RegisteredState;
  sealed_content: string | null;
  content_digest: string;
  size_bytes: number;
  sender_verification_id: string | null;
  retrieval_verification_id: string | null;
  created_at: Date;
  deposited_at: Date | null;
  retrieved_at: Date | null;
  content_deleted_at: Date | null;
}

export class RegisteredMessageRepository {
  constructor(private readonly db: Knex) {}

  async insert(r: RegisteredRecord): Promise<void> {
    await this.db<Row>('registered_messages').insert({
      id: r.id,
      merchant_id: r.merchantId,
      sender_id: r.senderId,
      addressee_id: r.addresseeId,
      state: r.state,
      sealed_content: r.sealedContent,
      content_digest: r.contentDigest,
      size_bytes: r.sizeBytes,
      sender_verification_id: r.senderVerificationId,
      retrieval_verification_id: r.retrievalVerificationId,
      created_at: r.createdAt,
      deposited_at: r.depositedAt,
      retrieved_at: r.retrievedAt,
      content_deleted_at: r.contentDeletedAt,
    });
  }

  async findForMerchant(id: string, merchantId: string): Promise<RegisteredRecord | undefined> {
    const row = await this.db<Row>('registered_messages').where({ id, merchant_id: merchantId }).first();
    return row ? fromRow(row) : undefined;
  }

  /** Moves the message from `from` to `to` with its timestamps; false when another request did first. */
  async transition(
    id: string,
    from: RegisteredState,
    to: RegisteredState,
    set: { depositedAt?: Date; retrievedAt?: Date } = {},
  ): Promise<boolean> {
    const n = await this.db<Row>('registered_messages')
      .where({ id, state: from })
      .update({
        state: to,
        ...(set.depositedAt ? { deposited_at: set.depositedAt } : {}),
        ...(set.retrievedAt ? { retrieved_at: set.retrievedAt } : {}),
      });
    return n > 0;
  }

  async setRetrievalVerification(id: string, verificationId: string): Promise<void> {
    await this.db<Row>('registered_messages').where({ id }).update({ retrieval_verification_id: verificationId });
  }

  /** Deletes the content of messages created before `before` (the retention period); answers how many. */
  async deleteContentBefore(before: Date, at: Date): Promise<number> {
    return this.db<Row>('registered_messages')
      .whereNull('content_deleted_at')
      .where('created_at', '<', before)
      .update({ sealed_content: null, content_deleted_at: at });
  }
}

function fromRow(r: Row): RegisteredRecord {
  return {
    id: r.id,
    merchantId: r.merchant_id,
    senderId: r.sender_id,
    addresseeId: r.addressee_id,
    state: r.state,
    sealedContent: r.sealed_content,
    contentDigest: r.content_digest,
    sizeBytes: r.size_bytes,
    senderVerificationId: r.sender_verification_id,
    retrievalVerificationId: r.retrieval_verification_id,
    createdAt: r.created_at,
    depositedAt: r.deposited_at,
    retrievedAt: r.retrieved_at,
    contentDeletedAt: r.content_deleted_at,
  };
}
