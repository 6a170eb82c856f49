import type { SettlementView, StatementView } from '@outband/contracts';
import type { LedgerRepository } from './ledger.repository';
import type { MerchantRepository } from '../merchants/merchant.repository';
import type { SubscriberRepository } from '../subscribers/subscriber.repository';

/** Statements of the receiver registers and settlements of the merchant registers, per month. */
export class BillingService {
  constructor(
    private readonly d: {
      ledger: LedgerRepository;
      merchants: Pick<MerchantRepository, 'policy'>;
      subscribers: Pick<SubscriberRepository, 'findByIdentifier'>;
    },
  ) {}

  /**
   * A subscriber's register with one merchant for a month. Its entries are the merchant's own
   * payments and fees, so it learns nothing new from them; an identifier that names no
   * subscriber has an empty statement, as one who never paid this merchant does, so the answer
   * does not tell who subscribes.
   */
  async statement(merchantId: string, identifier: string, period: string): Promise<StatementView> {
    const subscriber = await this.d.subscribers.findByIdentifier(identifier, merchantId);
    const [from, to] = monthOf(period);
    const entries = subscriber ? await this.d.ledger.entries('receiver', { merchantId, subscriberId: subscriber.id }, from, to) : [];
    return {
      identifier,
      period,
      entries: entries.map((e) => ({
        bookedAt: e.bookedAt.toISOString(),
        kind: e.kind,
        amount: e.amount,
        currency: e.currency,
        ...(e.paymentId ? { paymentId: e.paymentId } : {}),
        ...(e.verificationId ? { verificationId: e.verificationId } : {}),
      })),
      totals: sumBy(entries, (e) => e.currency).map(([currency, list]) => ({ currency, amount: total(list) })),
    };
  }

  /** The trustee's settlement with a merchant for a month: gross, service charge, net. */
  async settlement(merchantId: string, period: string): Promise<SettlementView> {
    const [from, to] = monthOf(period);
    const policy = await this.d.merchants.policy(merchantId);
    const entries = await this.d.ledger.entries('merchant', { merchantId }, from, to);
    const payments = entries.filter((e) => e.kind === 'amount');
    const fees = entries.filter((e) => e.kind === 'per_verification');
    return {
      merchantId,
      period,
      serviceChargeBasisPoints: policy.serviceChargeBps,
      lines: sumBy(payments, (e) => e.currency).map(([currency, list]) => {
        const gross = total(list);
        // Integer minor units, rounded half up: the charge and the net always add up to the gross.
        const serviceCharge = Math.floor((gross * policy.serviceChargeBps + 5_000) / 10_000);
        return { currency, payments: list.length, gross, serviceCharge, net: gross - serviceCharge };
      }),
      verificationFees: sumBy(fees, (e) => e.currency).map(([currency, list]) => ({
        currency,
        verifications: list.length,
        amount: total(list),
      })),
    };
  }
}

/** [first instant of the month, first instant of the next), in UTC. */
export function monthOf(period: string): [Date, Date] {
  const [y = 0, m = 1] = period.split('-').map(Number);
  return [new Date(Date.UTC(y, m - 1, 1)), new Date(Date.UTC(y, m, 1))];
}

function sumBy<T>(items: T[], key: (t: T) => string): Array<[string, T[]]> {
  const groups = new Map<string, T[]>();
  for (const i of items) {
    groups.set(key(i), [...(groups.get(key(i)) ?? []), i]);
  }
  return [...groups].sort(([a], [b]) => a.localeCompare(b));
}

function total(list: Array<{ amount: number }>): number {
  return list.reduce((n, e) => n + e.amount, 0);
}
