import { randomBytes } from 'node:crypto';
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

/** A due delivery as `dueFairly` ranks it: enough to claim it. */
export interface DueDelivery {
  id: number;
  merchantId: string;
}

/** A delivery this process leased: `attempts` counts the try it is about to make. */
export interface ClaimedDelivery extends DeliveryRecord {
  /** Names this claim: the settle of the try counts only while the lease is still its own. */
  claimToken: string;
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
  claim_token: string | null;
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

  /** The same repository inside the caller's transaction (an event queued with what caused it). */
  within(tx: Knex.Transaction): WebhookRepository {
    return new WebhookRepository(tx);
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
  async dueFairly(now: Date, o: { limit: number; perMerchant: number; skip: string[] }): Promise<DueDelivery[]> {
    if (o.limit <= 0 || o.perMerchant <= 0) {
      return [];
    }
    const window = Math.max(o.limit, Math.min(o.limit * o.perMerchant, maxDueWindow));
    const skip = new Set(o.skip);
    const rankOf = new Map<number, number>();
    const merchantOf = new Map<number, string>();
    for (;;) {
      const rows = await this.oldestDue(now, [...skip], window);
      const seen = new Map<string, number>();
      for (const r of rows) {
        const rank = (seen.get(r.merchant_id) ?? 0) + 1;
        seen.set(r.merchant_id, rank);
        if (rank <= o.perMerchant) {
          rankOf.set(Number(r.id), rank);
          merchantOf.set(Number(r.id), r.merchant_id);
        }
      }
      if (rankOf.size >= o.limit || rows.length < window) {
        break;
      }
      seen.forEach((_, merchantId) => skip.add(merchantId));
    }
    // The window's rows come in index order: a stable sort by rank keeps it within a rank.
    return [...rankOf]
      .sort(([, a], [, b]) => a - b)
      .slice(0, o.limit)
      .map(([id]) => ({ id, merchantId: merchantOf.get(id) ?? '' }));
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
   * Leases those of the deliveries that are still due and unleased for `leaseMs`, and counts the
   * try each is leased for, in one conditional update: a delivery another process leased, or
   * settled with a backoff since it was read, is left out. Answers the ones this process got.
   */
  async claim(ids: number[], now: Date, leaseMs: number): Promise<ClaimedDelivery[]> {
    if (ids.length === 0) {
      return [];
    }
    const claimToken = randomBytes(16).toString('hex');
    const n = await this.db<DeliveryRow>('webhook_deliveries')
      .whereIn('id', ids)
      .where({ status: 'pending' })
      .where('next_attempt_at', '<=', now)
      .where((q) => {
        void q.whereNull('locked_until').orWhere('locked_until', '<', now);
      })
      .update({ locked_until: new Date(now.getTime() + leaseMs), claim_token: claimToken, attempts: this.db.raw('attempts + 1') });
    if (n === 0) {
      return [];
    }
    // Neither MySQL nor MariaDB return updated rows: the token finds them.
    const rows = await this.db<DeliveryRow>('webhook_deliveries').whereIn('id', ids).where({ claim_token: claimToken });
    const order = new Map(ids.map((id, i) => [id, i]));
    return rows
      .sort((a, b) => (order.get(Number(a.id)) ?? 0) - (order.get(Number(b.id)) ?? 0))
      .map((r) => ({ ...deliveryOf(r), claimToken }));
  }

  /**
   * Records the outcome of a claimed try and ends its lease; false, and nothing written, when
   * the lease is no longer this claim's (it ran out and another process claimed the delivery,
   * or it was replayed).
   */
  async settle(
    delivery: Pick<ClaimedDelivery, 'id' | 'claimToken'>,
    result: {
      status: DeliveryRecord['status'];
      statusCode: number | null;
      error: string | null;
      nextAttemptAt: Date;
      at: Date;
    },
  ): Promise<boolean> {
    const n = await this.db<DeliveryRow>('webhook_deliveries')
      .where({ id: delivery.id, claim_token: delivery.claimToken })
      .update({
        status: result.status,
        last_status_code: result.statusCode,
        last_error: result.error?.slice(0, 200) ?? null,
        next_attempt_at: result.nextAttemptAt,
        locked_until: null,
        claim_token: null,
        ...(result.status === 'delivered' ? { delivered_at: result.at } : {}),
      });
    return n > 0;
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
        .update({ status: 'pending', next_attempt_at: now, locked_until: null, claim_token: null, created_at: now })) > 0
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
