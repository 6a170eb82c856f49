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
  /** The card on file of the subscriber's contract (a bank token, never a card number). */
  cardToken?: string | null;
  /** The bank's id of this customer (a terminal's card is identified by the bank). */
  bankCustomerId?: string | null;
  /** When the address was certified by a code its holder typed back, and for whom (`merchant:<id>`). */
  certifiedAt?: Date | null;
  certifiedBy?: string | null;
  /** When the address last changed: transaction signing waits a cool-down after it. */
  addressChangedAt?: Date | null;
  /** Empty: the installation's (the operator's contracts); else the merchant whose own identifier it is. */
  realm?: string;
}

export interface SubscriberRow {
  id: number;
  identifier: string;
  address: string;
  receiver_kind: ReceiverKind;
  status: 'active' | 'suspended';
  locale: 'en' | 'fr';
  card_token: string | null;
  bank_customer_id: string | null;
  certified_at: Date | null;
  certified_by: string | null;
  address_changed_at: Date | null;
  realm: string;
}

/**
 * The realms a merchant's names are read in: where merchants have realms of their own, its own
 * first, then the installation's; else (or for the operator) the installation's alone. Read only
 * where they are kept, so an operator who goes back to one installation realm is obeyed at once.
 */
export function realmsOf(merchantId: string | undefined, merchantRealms: boolean): string[] {
  return merchantId && merchantRealms ? [merchantId, ''] : [''];
}

export class SubscriberRepository {
  constructor(
    private readonly db: Knex,
    private readonly o: { merchantRealms?: boolean } = {},
  ) {}

  /** The subscriber a merchant (or, without one, the operator) names by this identifier. */
  async findByIdentifier(identifier: string, merchantId?: string): Promise<Subscriber | undefined> {
    return this.seenBy({ identifier }, merchantId);
  }

  /** The subscriber of exactly this realm (empty: the installation's), not the one a merchant would see. */
  async findInRealm(identifier: string, realm: string): Promise<Subscriber | undefined> {
    const row = await this.db<SubscriberRow>('subscribers').where({ identifier, realm }).first();
    return row ? toSubscriber(row) : undefined;
  }

  async findById(id: number): Promise<Subscriber | undefined> {
    const row = await this.db<SubscriberRow>('subscribers').where({ id }).first();
    return row ? toSubscriber(row) : undefined;
  }

  /** The subscriber whose single certified address this is, as a merchant (or the operator) sees it. */
  async findByAddress(address: string, merchantId?: string): Promise<Subscriber | undefined> {
    return this.seenBy({ address }, merchantId);
  }

  /** The first subscriber matching `where` in the realms `merchantId` reads, its own first. */
  private async seenBy(
    where: { identifier: string } | { address: string },
    merchantId: string | undefined,
  ): Promise<Subscriber | undefined> {
    const row = await this.db<SubscriberRow>('subscribers')
      .where(where)
      .whereIn('realm', realmsOf(merchantId, this.o.merchantRealms === true))
      .orderBy('realm', 'desc')
      .first();
    return row ? toSubscriber(row) : undefined;
  }

  async findByBankCustomer(bankCustomerId: string): Promise<Subscriber | undefined> {
    const row = await this.db<SubscriberRow>('subscribers').where({ bank_customer_id: bankCustomerId }).first();
    return row ? toSubscriber(row) : undefined;
  }

  async setStatus(id: number, status: Subscriber['status']): Promise<void> {
    await this.db('subscribers').where({ id }).update({ status, updated_at: new Date() });
  }

  /**
   * Certifies `address` for `identifier`, whose holder proved it by a code: a new subscriber, or a
   * new address for one (its change dated). Only the one who certified a subscriber (`by`) may
   * change it: another's is `refused`, untouched. Answers the subscriber as it was, if any.
   */
  async certify(
    c: { identifier: string; address: string; locale: Subscriber['locale']; by: string; at: Date; realm: string },
    trx: Knex = this.db,
  ): Promise<{ before: Subscriber | undefined; refused: boolean }> {
    const row = await trx<SubscriberRow>('subscribers').where({ identifier: c.identifier, realm: c.realm }).forUpdate().first();
    const certified = { certified_at: c.at, certified_by: c.by };
    if (row && row.certified_by !== c.by) {
      return { before: toSubscriber(row), refused: true };
    }
    if (!row) {
      await trx('subscribers').insert({
        identifier: c.identifier,
        realm: c.realm,
        address: c.address,
        receiver_kind: 'mobile',
        status: 'active',
        locale: c.locale,
        ...certified,
      });
      return { before: undefined, refused: false };
    }
    const moved = row.address !== c.address ? { address: c.address, receiver_kind: 'mobile', address_changed_at: c.at } : {};
    await trx('subscribers')
      .where({ id: row.id })
      .update({ ...certified, ...moved, updated_at: c.at });
    return { before: toSubscriber(row), refused: false };
  }

  /** Adds or updates a subscriber by identifier (seeding, admin); a new address is dated. */
  async upsert(s: Omit<Subscriber, 'id'>): Promise<void> {
    const fields = {
      address: s.address,
      receiver_kind: s.receiverKind,
      status: s.status,
      locale: s.locale,
      card_token: s.cardToken ?? null,
      bank_customer_id: s.bankCustomerId ?? null,
      ...(s.addressChangedAt ? { address_changed_at: s.addressChangedAt } : {}),
      // An operator's word replaces a merchant's: the merchant no longer owns the identifier.
      ...(s.certifiedBy ? { certified_by: s.certifiedBy, certified_at: null } : {}),
    };
    await this.db('subscribers')
      .insert({ identifier: s.identifier, realm: '', ...fields })
      .onConflict(['identifier', 'realm'])
      .merge({ ...fields, updated_at: new Date() });
  }
}

/** The columns a subscriber is read from, for a query that joins it to something else. */
export const subscriberColumns: ReadonlyArray<keyof SubscriberRow> = [
  'id',
  'identifier',
  'address',
  'receiver_kind',
  'status',
  'locale',
  'card_token',
  'bank_customer_id',
  'certified_at',
  'certified_by',
  'address_changed_at',
  'realm',
];

export function toSubscriber(row: SubscriberRow): Subscriber {
  return {
    id: row.id,
    identifier: row.identifier,
    address: row.address,
    receiverKind: row.receiver_kind,
    status: row.status,
    locale: row.locale,
    cardToken: row.card_token,
    bankCustomerId: row.bank_customer_id,
    certifiedAt: row.certified_at === null ? null : new Date(row.certified_at),
    certifiedBy: row.certified_by,
    addressChangedAt: row.address_changed_at === null ? null : new Date(row.address_changed_at),
    realm: row.realm,
  };
}
