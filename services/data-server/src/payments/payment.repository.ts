import type { Knex } from '@outband/db';
import { requestWindowStart } from '../verifications/bus-request';
import type { PaymentState, TransactionData } from '@outband/contracts';

export interface PaymentRecord {
  id: string;
  merchantId: string;
  subscriberId: number;
  source: 'card' | 'contract' | 'terminal';
  terminalId: string | null;
  cardToken: string;
  transaction: TransactionData;
  securing: 'secured' | 'normal';
  authorizeAfterCheck: boolean;
  state: PaymentState;
  cause: string | null;
  authorizationId: string | null;
  verificationId: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** The bus request that started it: a redelivery of that request goes on with this one. */
  requestId?: string | null;
}

export interface PaymentEvent {
  state: PaymentState;
  cause: string | null;
  at: Date;
}

interface Row {
  id: string;
  merchant_id: string;
  subscriber_id: number;
  source: PaymentRecord['source'];
  terminal_id: string | null;
  card_token: string;
  amount: number;
  currency: string;
  payee: string;
  transaction_json: string;
  securing: PaymentRecord['securing'];
  authorize_after_check: number | boolean;
  state: PaymentState;
  cause: string | null;
  authorization_id: string | null;
  verification_id: string | null;
  created_at: Date;
  updated_at: Date;
  request_id: string | null;
}

/** States a payment never leaves. */
export const finalPaymentStates: readonly PaymentState[] = ['captured', 'declined', 'expired', 'failed', 'voided'];

/** A payment's transition, as the repository reports it (metrics, webhooks). */
export interface PaymentTransition {
  paymentId: string;
  merchantId: string;
  to: PaymentState;
  cause: string | null;
}

/** What follows each payment transition: what commits with it, and what is told once it has. */
export interface PaymentTransitionHooks {
  /** Runs in the transition's transaction, before it commits: a failure rolls the transition back (webhooks). */
  inTransaction(tx: Knex.Transaction, t: PaymentTransition): Promise<void>;
  /** Runs once the transition has committed (metrics). */
  committed(t: PaymentTransition): void;
}

const noHooks: PaymentTransitionHooks = { inTransaction: () => Promise.resolve(), committed: () => undefined };

/** Payments and their transitions; every transition is a conditional update plus an event row. */
export class PaymentRepository {
  constructor(
    private readonly db: Knex,
    private readonly hooks: PaymentTransitionHooks = noHooks,
  ) {}

  /** The payment an earlier delivery of this bus request made, if any. */
  async byRequest(merchantId: string, requestId: string, now = new Date()): Promise<PaymentRecord | undefined> {
    const row = await this.db<Row>('payments')
      .where({ merchant_id: merchantId, request_id: requestId })
      .where('created_at', '>=', requestWindowStart(now))
      .first();
    return row ? fromRow(row) : undefined;
  }

  /**
   * Inserts a payment whose securing may depend on the subscriber's earlier payments: then
   * (`withHistory`) the subscriber row is locked while `decide` reads them, so concurrent payments
   * see each other; otherwise `decide` gets none and nothing is read.
   */
  async insertDeciding(
    p: Omit<PaymentRecord, 'securing' | 'state' | 'cause' | 'authorizationId' | 'verificationId' | 'updatedAt'>,
    decide: (history: LowValueHistory) => 'secured' | 'normal',
    withHistory = true,
  ): Promise<PaymentRecord> {
    const created = await this.db.transaction(async (tx) => {
      let history: LowValueHistory = { count: 0, sums: new Map() };
      if (withHistory) {
        await tx('subscribers').where({ id: p.subscriberId }).forUpdate().first('id');
        history = await lowValueHistory(tx, p.subscriberId);
      }
      const securing = decide(history);
      const record: PaymentRecord = {
        ...p,
        securing,
        state: 'created',
        cause: null,
        authorizationId: null,
        verificationId: null,
        updatedAt: p.createdAt,
      };
      await tx('payments').insert(toRow(record));
      await tx('payment_events').insert({ payment_id: p.id, from_state: null, to_state: 'created', cause: securing, at: p.createdAt });
      await this.hooks.inTransaction(tx, createdTransition(record));
      return record;
    });
    this.hooks.committed(createdTransition(created));
    return created;
  }

  /**
   * Moves a payment from one of `from` to `to`; false when it was not in one of them (another
   * process moved it first), so each transition happens once. From a single state, the update's
   * own condition decides (no read first); from several, the row is read under its lock to learn
   * which one the event records.
   */
  async transition(
    p: Pick<PaymentRecord, 'id' | 'merchantId'>,
    from: readonly PaymentState[],
    to: PaymentState,
    cause: string | null,
    at: Date,
    set: { authorizationId?: string; verificationId?: string } = {},
  ): Promise<boolean> {
    const { id } = p;
    const values = {
      state: to,
      cause,
      updated_at: at,
      ...(set.authorizationId ? { authorization_id: set.authorizationId } : {}),
      ...(set.verificationId ? { verification_id: set.verificationId } : {}),
    };
    const moved = await this.db.transaction(async (tx) => {
      let before: PaymentState | undefined = from.length === 1 ? from[0] : undefined;
      if (before !== undefined) {
        if ((await tx('payments').where({ id, state: before }).update(values)) === 0) {
          return undefined;
        }
      } else {
        const current = await tx<Row>('payments').where({ id }).forUpdate().first('state');
        if (!current || !from.includes(current.state)) {
          return undefined;
        }
        before = current.state;
        await tx('payments').where({ id }).update(values);
      }
      await tx('payment_events').insert({ payment_id: id, from_state: before, to_state: to, cause, at });
      const t: PaymentTransition = { paymentId: id, merchantId: p.merchantId, to, cause };
      await this.hooks.inTransaction(tx, t);
      return t;
    });
    if (moved === undefined) {
      return false;
    }
    this.hooks.committed(moved);
    return true;
  }

  async find(id: string): Promise<PaymentRecord | undefined> {
    const row = await this.db<Row>('payments').where({ id }).first();
    return row ? fromRow(row) : undefined;
  }

  async findForMerchant(id: string, merchantId: string): Promise<PaymentRecord | undefined> {
    const row = await this.db<Row>('payments').where({ id, merchant_id: merchantId }).first();
    return row ? fromRow(row) : undefined;
  }

  async findByVerification(verificationId: string): Promise<PaymentRecord | undefined> {
    const row = await this.db<Row>('payments').where({ verification_id: verificationId }).first();
    return row ? fromRow(row) : undefined;
  }

  async history(id: string): Promise<PaymentEvent[]> {
    const rows = await this.db('payment_events')
      .where({ payment_id: id })
      .orderBy('id')
      .select<Array<{ to_state: PaymentState; cause: string | null; at: Date }>>('to_state', 'cause', 'at');
    return rows.map((r) => ({ state: r.to_state, cause: r.cause, at: r.at }));
  }

  /** Payments between two bank calls and unchanged since `before`: what the sweeper finishes. */
  async stale(before: Date, limit: number): Promise<PaymentRecord[]> {
    const rows = await this.db<Row>('payments')
      .whereIn('state', ['created', 'authorized', 'verified'])
      .where('updated_at', '<', before)
      .orderBy('updated_at')
      .limit(limit);
    return rows.map(fromRow);
  }

  /** Payments waiting for a code whose verification is over (expired, burned, canceled, failed). */
  async awaitingClosedVerifications(now: Date, limit: number): Promise<Array<PaymentRecord & { verificationStatus: string }>> {
    const rows = await this.db('payments as p')
      .join('verifications as v', 'v.id', 'p.verification_id')
      .where('p.state', 'code_sent')
      .where((q) => {
        void q.whereNot('v.status', 'pending').orWhere('v.expires_at', '<', now);
      })
      .limit(limit)
      .select<Array<Row & { verification_status: string; verification_expires_at: Date }>>(
        'p.*',
        'v.status as verification_status',
        'v.expires_at as verification_expires_at',
      );
    return rows.map((r) => ({
      ...fromRow(r),
      verificationStatus: r.verification_status === 'pending' ? 'expired' : r.verification_status,
    }));
  }
}

/** What PSD2 RTS Art. 16 looks at: normal payments since the subscriber's last secured one. */
export interface LowValueHistory {
  count: number;
  /** Sum by currency, minor units. */
  sums: Map<string, number>;
}

async function lowValueHistory(tx: Knex.Transaction, subscriberId: number): Promise<LowValueHistory> {
  const lastSecured = await tx('payments')
    .where({ subscriber_id: subscriberId, securing: 'secured' })
    .whereIn('state', ['verified', 'captured'])
    .max<{ at: Date | null }>('created_at as at')
    .first();
  const rows = await tx('payments')
    .where({ subscriber_id: subscriberId, securing: 'normal' })
    .whereNotIn('state', ['declined', 'failed', 'voided', 'expired'])
    .modify((q) => {
      if (lastSecured?.at) {
        void q.where('created_at', '>', lastSecured.at);
      }
    })
    .groupBy('currency')
    .select<Array<{ currency: string; n: number; total: number | string }>>(
      'currency',
      tx.raw('count(*) as n'),
      tx.raw('sum(amount) as total'),
    );
  return {
    count: rows.reduce((n, r) => n + Number(r.n), 0),
    sums: new Map(rows.map((r) => [r.currency, Number(r.total)])),
  };
}

function createdTransition(p: PaymentRecord): PaymentTransition {
  return { paymentId: p.id, merchantId: p.merchantId, to: 'created', cause: p.securing };
}

function toRow(p: PaymentRecord): Row {
  return {
    id: p.id,
    merchant_id: p.merchantId,
    subscriber_id: p.subscriberId,
    source: p.source,
    terminal_id: p.terminalId,
    card_token: p.cardToken,
    amount: p.transaction.amount,
    currency: p.transaction.currency,
    payee: p.transaction.payee,
    transaction_json: JSON.stringify(p.transaction),
    securing: p.securing,
    authorize_after_check: p.authorizeAfterCheck,
    state: p.state,
    cause: p.cause,
    authorization_id: p.authorizationId,
    verification_id: p.verificationId,
    created_at: p.createdAt,
    updated_at: p.updatedAt,
    request_id: p.requestId ?? null,
  };
}

function fromRow(r: Row): PaymentRecord {
  return {
    id: r.id,
    merchantId: r.merchant_id,
    subscriberId: r.subscriber_id,
    source: r.source,
    terminalId: r.terminal_id,
    cardToken: r.card_token,
    transaction: JSON.parse(r.transaction_json) as TransactionData,
    securing: r.securing,
    authorizeAfterCheck: Boolean(r.authorize_after_check),
    state: r.state,
    cause: r.cause,
    authorizationId: r.authorization_id,
    verificationId: r.verification_id,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    requestId: r.request_id,
  };
}
