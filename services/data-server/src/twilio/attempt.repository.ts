import type { Knex } from '@outband/db';
import type { TwilioAttemptsV1, TwilioAttemptView } from '@outband/contracts';

interface AttemptRow {
  id: string;
  service_sid: string;
  channel: string;
  factor_channel: string | null;
  status: string;
  address_masked: string;
  created_at: Date;
  finished_at: Date | null;
}

/** What narrows the attempts: Twilio's filters, the number already resolved to its subscribers. */
export type AttemptFilter = Omit<TwilioAttemptsV1, 'type' | 'version' | 'action' | 'to' | 'page' | 'pageSize'> & {
  merchantId: string;
  subscriberIds?: number[];
};

/**
 * Verification attempts of the merchant's Twilio services, read from the verifications: one
 * attempt per verification, `converted` once it was approved.
 */
export class AttemptRepository {
  constructor(private readonly db: Knex) {}

  async page(f: AttemptFilter, page: number, pageSize: number): Promise<{ attempts: TwilioAttemptView[]; more: boolean }> {
    const rows = await this.filtered(f)
      .select<AttemptRow[]>(
        'id',
        'service_sid',
        'channel',
        'factor_channel',
        'silent',
        'status',
        'address_masked',
        'created_at',
        'finished_at',
      )
      .orderBy([
        { column: 'created_at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .offset(page * pageSize)
      .limit(pageSize + 1);
    return { attempts: rows.slice(0, pageSize).map(viewOf), more: rows.length > pageSize };
  }

  async counts(f: AttemptFilter): Promise<{ total: number; converted: number }> {
    const row = await this.filtered(f)
      .select(this.db.raw('COUNT(*) AS total'), this.db.raw("SUM(CASE WHEN status = 'approved' THEN 1 ELSE 0 END) AS converted"))
      .first<{ total: number | string; converted: number | string | null }>();
    return { total: Number(row?.total ?? 0), converted: Number(row?.converted ?? 0) };
  }

  private filtered(f: AttemptFilter) {
    const q = this.db('verifications').where({ merchant_id: f.merchantId }).whereNotNull('service_sid');
    if (f.serviceSid) {
      q.where({ service_sid: f.serviceSid });
    }
    if (f.verificationId) {
      q.where({ id: f.verificationId });
    }
    if (f.subscriberIds) {
      q.whereIn('subscriber_id', f.subscriberIds);
    }
    if (f.status) {
      q.where('status', f.status === 'converted' ? '=' : '<>', 'approved');
    }
    if (f.channel) {
      if (f.channel === 'sms') {
        q.whereNull('factor_channel').where({ channel: 'sms' });
      } else {
        q.where((w) => {
          void w.where({ factor_channel: f.channel }).orWhere((c) => void c.whereNull('factor_channel').where({ channel: f.channel }));
        });
      }
    }
    if (f.createdAfter) {
      q.where('created_at', '>=', new Date(f.createdAfter));
    }
    if (f.createdBefore) {
      q.where('created_at', '<', new Date(f.createdBefore));
    }
    return q;
  }
}

function viewOf(r: AttemptRow): TwilioAttemptView {
  return {
    verificationId: r.id,
    serviceSid: r.service_sid,
    channel: r.factor_channel ?? r.channel,
    converted: r.status === 'approved',
    to: r.address_masked,
    createdAt: new Date(r.created_at).toISOString(),
    updatedAt: new Date(r.finished_at ?? r.created_at).toISOString(),
  };
}
