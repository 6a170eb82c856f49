import type { Knex } from '@outband/db';

export interface EndpointRecord {
  id: string;
  merchantId: string;
  url: string;
  events: string[];
  sealedSecret: string;
  createdAt: Date;
}

export interface DeliveryRecord {
  id: number;
  endpointId: string;
  merchantId: string;
  eventId: string;
  eventType: string;
  payload: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastStatusCode: number | null;
  lastError: string | null;
  createdAt: Date;
  nextAttemptAt: Date;
  deliveredAt: Date | null;
}

interface EndpointRow {
  id: string;
  merchant_id: string;
  url: string;
  events: string;
  sealed_secret: string;
  status: 'active' | 'removed';
  created_at: Date;
}

interface DeliveryRow {
  id: number;
  endpoint_id: string;
  merchant_id: string;
  event_id: string;
  event_type: string;
  payload: string;
  status: DeliveryRecord['status'];
  attempts: number;
  last_status_code: number | null;
  last_error: string | null;
  created_at: Date;
  next_attempt_at: Date;
  locked_until: Date | null;
  delivered_at: Date | null;
}

/** The most due rows one pass of `dueFairly` reads (it reads at least a round's worth). */
const maxDueWindow = 1000;

/** Webhook endpoints and the outbox of their deliveries. */
export class WebhookRepository {
  constructor(private readonly db: Knex) {}

  async insertEndpoint(e: EndpointRecord): Promise<void> {
    await this.db<EndpointRow>('webhook_endpoints').insert({
      id: e.id,
      merchant_id: e.merchantId,
      url: e.url,
      events: e.events.join(','),
      sealed_secret: e.sealedSecret,
      status: 'active',
      created_at: e.createdAt,
    });
  }

  async endpoints(merchantId: string): Promise<EndpointRecord[]> {
    const rows = await this.db<EndpointRow>('webhook_endpoints').where({ merchant_id: merchantId, status: 'active' }).orderBy('created_at');
    return rows.map(endpointOf);
  }

  async countEndpoints(merchantId: string): Promise<number> {
    const row = await this.db<EndpointRow>('webhook_endpoints')
      .where({ merchant_id: merchantId, status: 'active' })
      .count<{ n: number | string }[]>({ n: '*' })
      .first();
    return Number(row?.n ?? 0);
  }

  async endpoint(id: string): Promise<EndpointRecord | undefined> {
    const row = await this.db<EndpointRow>('webhook_endpoints').where({ id, status: 'active' }).first();
    return row ? endpointOf(row) : undefined;
  }

  async remove(id: string, merchantId: string): Promise<boolean> {
    return (
      (await this.db<EndpointRow>('webhook_endpoints')
        .where({ id, merchant_id: merchantId, status: 'active' })
        .update({ status: 'removed' })) > 0
    );
  }

  async setSecret(id: string, merchantId: string, sealedSecret: string): Promise<boolean> {
    return (
      (await this.db<EndpointRow>('webhook_endpoints')
        .where({ id, merchant_id: merchantId, status: 'active' })
        .update({ sealed_secret: sealedSecret })) > 0
    );
  }

  /** Queues one event for each endpoint; a repeated event (same id) is queued once. */
  async enqueue(endpointIds: string[], merchantId: string, eventId: string, eventType: string, payload: string, now: Date): Promise<void> {
    if (endpointIds.length === 0) {
      return;
    }
    await this.db<DeliveryRow>('webhook_deliveries')
      .insert(
        endpointIds.map((endpointId) => ({
          endpoint_id: endpointId,
          merchant_id: merchantId,
          event_id: eventId,
          event_type: eventType,
          payload,
          status: 'pending' as const,
          attempts: 0,
          created_at: now,
          next_attempt_at: now,
        })),
      )
      .onConflict(['endpoint_id', 'event_id'])
      .ignore();
  }

  /**
   * Due deliveries taken round-robin across merchants: each merchant's oldest first, then each
   * one's second …, at most `perMerchant` of one merchant and none of the `skip` merchants, so
   * one merchant's backlog never fills a round.
   *
   * Never ranks the whole backlog: each pass reads the oldest due rows, at most a window of them,
   * in the order of the (status, next_attempt_at, merchant_id) index. When the window was full
   * and the round is not, a merchant's backlog may hide others' deliveries behind it: the next
   * pass skips every merchant already seen. A pass that goes on took a merchant's whole share,
   * so there are at most limit / perMerchant passes, whatever the backlog.
   */
  async dueFairly(now: Date, o: { limit: number; perMerchant: number; skip: string[] }): Promise<DeliveryRecord[]> {
    if (o.limit <= 0 || o.perMerchant <= 0) {
      return [];
    }
    const window = Math.max(o.limit, Math.min(o.limit * o.perMerchant, maxDueWindow));
    const skip = new Set(o.skip);
    const rankOf = new Map<number, number>();
    for (;;) {
      const rows = await this.oldestDue(now, [...skip], window);
      const seen = new Map<string, number>();
      for (const r of rows) {
        const rank = (seen.get(r.merchant_id) ?? 0) + 1;
        seen.set(r.merchant_id, rank);
        if (rank <= o.perMerchant) {
          rankOf.set(Number(r.id), rank);
        }
      }
      if (rankOf.size >= o.limit || rows.length < window) {
        break;
      }
      seen.forEach((_, merchantId) => skip.add(merchantId));
    }
    if (rankOf.size === 0) {
      return [];
    }
    const rows = await this.db<DeliveryRow>('webhook_deliveries').whereIn('id', [...rankOf.keys()]);
    const rank = (r: DeliveryRow) => rankOf.get(Number(r.id)) ?? 0;
    return rows
      .sort((a, b) => rank(a) - rank(b) || a.next_attempt_at.getTime() - b.next_attempt_at.getTime() || Number(a.id) - Number(b.id))
      .slice(0, o.limit)
      .map(deliveryOf);
  }

  /** The oldest due, unleased deliveries of merchants not skipped: ids only, in index order. */
  private oldestDue(now: Date, skip: string[], limit: number): Promise<Array<Pick<DeliveryRow, 'id' | 'merchant_id'>>> {
    return this.db<DeliveryRow>('webhook_deliveries')
      .select('id', 'merchant_id')
      .where({ status: 'pending' })
      .where('next_attempt_at', '<=', now)
      .where((q) => {
        void q.whereNull('locked_until').orWhere('locked_until', '<', now);
      })
      .modify((q) => {
        if (skip.length > 0) {
          void q.whereNotIn('merchant_id', skip);
        }
      })
      .orderBy([{ column: 'next_attempt_at' }, { column: 'merchant_id' }, { column: 'id' }])
      .limit(limit);
  }

  /**
   * Leases one delivery for `leaseMs` with a conditional update, so two processes never send
   * the same one at once: whether this process got it.
   */
  async claim(id: number, now: Date, leaseMs: number): Promise<boolean> {
    const n = await this.db<DeliveryRow>('webhook_deliveries')
      .where({ id, status: 'pending' })
      .where((q) => {
        void q.whereNull('locked_until').orWhere('locked_until', '<', now);
      })
      .update({ locked_until: new Date(now.getTime() + leaseMs) });
    return n > 0;
  }

  async settle(
    id: number,
    result: {
      status: DeliveryRecord['status'];
      attempts: number;
      statusCode: number | null;
      error: string | null;
      nextAttemptAt: Date;
      at: Date;
    },
  ): Promise<void> {
    await this.db<DeliveryRow>('webhook_deliveries')
      .where({ id })
      .update({
        status: result.status,
        attempts: result.attempts,
        last_status_code: result.statusCode,
        last_error: result.error?.slice(0, 200) ?? null,
        next_attempt_at: result.nextAttemptAt,
        locked_until: null,
        ...(result.status === 'delivered' ? { delivered_at: result.at } : {}),
      });
  }

  async deliveries(endpointId: string, merchantId: string, limit: number): Promise<DeliveryRecord[]> {
    const rows = await this.db<DeliveryRow>('webhook_deliveries')
      .where({ endpoint_id: endpointId, merchant_id: merchantId })
      .orderBy('id', 'desc')
      .limit(limit);
    return rows.map(deliveryOf);
  }

  /** Sends a delivery again (whatever became of it), from now on. */
  async replay(id: number, merchantId: string, now: Date): Promise<boolean> {
    return (
      (await this.db<DeliveryRow>('webhook_deliveries')
        .where({ id, merchant_id: merchantId })
        .update({ status: 'pending', next_attempt_at: now, locked_until: null, created_at: now })) > 0
    );
  }
}

function endpointOf(r: EndpointRow): EndpointRecord {
  return {
    id: r.id,
    merchantId: r.merchant_id,
    url: r.url,
    events: r.events.split(','),
    sealedSecret: r.sealed_secret,
    createdAt: r.created_at,
  };
}

function deliveryOf(r: DeliveryRow): DeliveryRecord {
  return {
    id: r.id,
    endpointId: r.endpoint_id,
    merchantId: r.merchant_id,
    eventId: r.event_id,
    eventType: r.event_type,
    payload: r.payload,
    status: r.status,
    attempts: r.attempts,
    lastStatusCode: r.last_status_code,
    lastError: r.last_error,
    createdAt: r.created_at,
    nextAttemptAt: r.next_attempt_at,
    deliveredAt: r.delivered_at,
  };
}
