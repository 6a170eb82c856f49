import type { Knex } from '@outband/db';

export interface SessionRecord {
  id: string;
  merchantId: string;
  /** Null for a decoy session: the identifier has no active subscriber. */
  subscriberId: number | null;
  decoyOf?: string | null;
  status: 'open' | 'closed';
  closeReason: 'ended' | 'idle' | null;
  openedAt: Date;
  lastSeenAt: Date;
  closedAt: Date | null;
}

interface Row {
  id: string;
  merchant_id: string;
  subscriber_id: number | null;
  decoy_of: string | null;
  status: SessionRecord['status'];
  close_reason: SessionRecord['closeReason'];
  opened_at: Date;
  last_seen_at: Date;
  closed_at: Date | null;
}

/** First-network sessions; closing is a conditional update, so it happens once. */
export class SessionRepository {
  constructor(private readonly db: Knex) {}

  async insert(s: SessionRecord): Promise<void> {
    await this.db<Row>('sessions').insert({
      id: s.id,
      merchant_id: s.merchantId,
      subscriber_id: s.subscriberId,
      decoy_of: s.decoyOf ?? null,
      status: s.status,
      close_reason: s.closeReason,
      opened_at: s.openedAt,
      last_seen_at: s.lastSeenAt,
      closed_at: s.closedAt,
    });
  }

  async findForMerchant(id: string, merchantId: string): Promise<SessionRecord | undefined> {
    const row = await this.db<Row>('sessions').where({ id, merchant_id: merchantId }).first();
    return row ? fromRow(row) : undefined;
  }

  /** Records a heartbeat of an open session; false when it is closed. */
  async touch(id: string, at: Date): Promise<boolean> {
    return (await this.db<Row>('sessions').where({ id, status: 'open' }).update({ last_seen_at: at })) > 0;
  }

  /** Closes an open session; false when it was closed already (by another process, say). */
  async close(id: string, reason: 'ended' | 'idle', at: Date): Promise<boolean> {
    return (
      (await this.db<Row>('sessions').where({ id, status: 'open' }).update({ status: 'closed', close_reason: reason, closed_at: at })) > 0
    );
  }

  /** Open sessions not seen since `before`. */
  async idle(before: Date, limit: number): Promise<SessionRecord[]> {
    const rows = await this.db<Row>('sessions').where({ status: 'open' }).where('last_seen_at', '<', before).limit(limit);
    return rows.map(fromRow);
  }
}

function fromRow(r: Row): SessionRecord {
  return {
    id: r.id,
    merchantId: r.merchant_id,
    subscriberId: r.subscriber_id,
    decoyOf: r.decoy_of,
    status: r.status,
    closeReason: r.close_reason,
    openedAt: r.opened_at,
    lastSeenAt: r.last_seen_at,
    closedAt: r.closed_at,
  };
}
