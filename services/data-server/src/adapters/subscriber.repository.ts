import type { Knex } from '@outband/db';
import type { ReceiverKind } from '@outband/contracts';

/** A subscriber of the contract database 107: one single, certified address on the second network. */
export interface Subscriber {
  id: number;
  identifier: string;
  address: string;
  receiverKind: ReceiverKind;
  status: 'active' | 'suspended';
  locale: 'en' | 'fr';
}

interface SubscriberRow {
  id: number;
  identifier: string;
  address: string;
  receiver_kind: ReceiverKind;
  status: 'active' | 'suspended';
  locale: 'en' | 'fr';
}

export class SubscriberRepository {
  constructor(private readonly db: Knex) {}

  async findByIdentifier(identifier: string): Promise<Subscriber | undefined> {
    const row = await this.db<SubscriberRow>('subscribers').where({ identifier }).first();
    return row ? toSubscriber(row) : undefined;
  }

  async findById(id: number): Promise<Subscriber | undefined> {
    const row = await this.db<SubscriberRow>('subscribers').where({ id }).first();
    return row ? toSubscriber(row) : undefined;
  }

  /** Adds or updates a subscriber by identifier (seeding, admin). */
  async upsert(s: Omit<Subscriber, 'id'>): Promise<void> {
    await this.db('subscribers')
      .insert({ identifier: s.identifier, address: s.address, receiver_kind: s.receiverKind, status: s.status, locale: s.locale })
      .onConflict('identifier')
      .merge({ address: s.address, receiver_kind: s.receiverKind, status: s.status, locale: s.locale, updated_at: this.db.fn.now(3) });
  }
}

function toSubscriber(row: SubscriberRow): Subscriber {
  return {
    id: row.id,
    identifier: row.identifier,
    address: row.address,
    receiverKind: row.receiver_kind,
    status: row.status,
    locale: row.locale,
  };
}
