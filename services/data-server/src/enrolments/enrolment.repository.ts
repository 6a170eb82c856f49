import type { Knex } from '@outband/db';

export interface EnrolmentRecord {
  id: string;
  merchantId: string;
  identifier: string;
  /** The number being certified (E.164). */
  address: string;
  /** The language of its texts, the new subscriber's. */
  locale: 'en' | 'fr';
  /** The verification whose code went to that number. */
  verificationId: string;
  status: 'pending' | 'confirmed' | 'failed' | 'expired';
  createdAt: Date;
  expiresAt: Date;
  confirmedAt: Date | null;
}

interface Row {
  id: string;
  merchant_id: string;
  identifier: string;
  address: string;
  locale: 'en' | 'fr';
  verification_id: string;
  status: EnrolmentRecord['status'];
  created_at: Date;
  expires_at: Date;
  confirmed_at: Date | null;
}

/** Enrolments: a pending one ends once, by a conditional update. */
export class EnrolmentRepository {
  constructor(private readonly db: Knex) {}

  async insert(e: EnrolmentRecord): Promise<void> {
    await this.db<Row>('enrolments').insert({
      id: e.id,
      merchant_id: e.merchantId,
      identifier: e.identifier,
      address: e.address,
      locale: e.locale,
      verification_id: e.verificationId,
      status: e.status,
      created_at: e.createdAt,
      expires_at: e.expiresAt,
      confirmed_at: e.confirmedAt,
    });
  }

  /** The merchant's enrolment: another merchant's is unknown. */
  async find(merchantId: string, id: string): Promise<EnrolmentRecord | undefined> {
    const row = await this.db<Row>('enrolments').where({ id, merchant_id: merchantId }).first();
    return row ? fromRow(row) : undefined;
  }

  /** Ends a pending enrolment; answers whether this call ended it. */
  async end(id: string, status: Exclude<EnrolmentRecord['status'], 'pending'>, at: Date, trx: Knex = this.db): Promise<boolean> {
    const changed = await trx<Row>('enrolments')
      .where({ id, status: 'pending' })
      .update({ status, ...(status === 'confirmed' ? { confirmed_at: at } : {}) });
    return changed > 0;
  }
}

function fromRow(r: Row): EnrolmentRecord {
  return {
    id: r.id,
    merchantId: r.merchant_id,
    identifier: r.identifier,
    address: r.address,
    locale: r.locale,
    verificationId: r.verification_id,
    status: r.status,
    createdAt: new Date(r.created_at),
    expiresAt: new Date(r.expires_at),
    confirmedAt: r.confirmed_at === null ? null : new Date(r.confirmed_at),
  };
}
