import type { Knex } from '@outband/db';

export interface LedgerEntry {
  register: 'receiver' | 'merchant';
  merchantId: string;
  subscriberId: number;
  kind: 'amount' | 'duration' | 'per_verification';
  /** Minor units. */
  amount: number;
  currency: string;
  paymentId?: string;
  verificationId?: string;
  /** A booking repeated with the same key is ignored: a retried event never counts twice. */
  idempotencyKey: string;
  bookedAt: Date;
}

interface Row {
  register: LedgerEntry['register'];
  merchant_id: string;
  subscriber_id: number;
  kind: LedgerEntry['kind'];
  amount: number | string;
  currency: string;
  payment_id: string | null;
  verification_id: string | null;
  booked_at: Date;
}

/** The billing registers: an append-only ledger, never updated. */
export class LedgerRepository {
  constructor(
    private readonly db: Knex,
    /** Observes each entry booked (metrics). */
    private readonly onBooked?: (e: LedgerEntry) => void,
  ) {}

  async book(entries: LedgerEntry[]): Promise<void> {
    if (entries.length === 0) {
      return;
    }
    await this.db('ledger_entries')
      .insert(
        entries.map((e) => ({
          register: e.register,
          merchant_id: e.merchantId,
          subscriber_id: e.subscriberId,
          kind: e.kind,
          amount: e.amount,
          currency: e.currency,
          payment_id: e.paymentId ?? null,
          verification_id: e.verificationId ?? null,
          idempotency_key: e.idempotencyKey,
          booked_at: e.bookedAt,
        })),
      )
      .onConflict('idempotency_key')
      .ignore();
    entries.forEach((e) => this.onBooked?.(e));
  }

  /** Entries of one register in [from, to), oldest first. */
  async entries(
    register: LedgerEntry['register'],
    filter: { merchantId: string; subscriberId?: number },
    from: Date,
    to: Date,
  ): Promise<Array<Omit<LedgerEntry, 'idempotencyKey'>>> {
    const rows = await this.db<Row>('ledger_entries')
      .where({ register, merchant_id: filter.merchantId })
      .modify((q) => {
        if (filter.subscriberId !== undefined) {
          void q.where({ subscriber_id: filter.subscriberId });
        }
      })
      .where('booked_at', '>=', from)
      .where('booked_at', '<', to)
      .orderBy('id')
      .select<Row[]>('*');
    return rows.map((r) => ({
      register: r.register,
      merchantId: r.merchant_id,
      subscriberId: r.subscriber_id,
      kind: r.kind,
      amount: Number(r.amount),
      currency: r.currency,
      ...(r.payment_id ? { paymentId: r.payment_id } : {}),
      ...(r.verification_id ? { verificationId: r.verification_id } : {}),
      bookedAt: r.booked_at,
    }));
  }
}
