import type { LedgerEntry, LedgerRepository } from './ledger.repository';
import type { MerchantRepository } from '../merchants/merchant.repository';

type Booked = Omit<LedgerEntry, 'register' | 'idempotencyKey'>;

/**
 * Everything billing books, in one place (patent: the receiver's and the merchant's registers).
 * The merchant's billing mode picks which events cost: an amount captured, a session's minutes
 * or an approved verification. Each booking goes to both registers under a key derived from the
 * event, so an event seen twice (a redelivery, a sweep after a crash) is booked once.
 */
export class Bookings {
  constructor(
    private readonly d: {
      ledger: Pick<LedgerRepository, 'book'>;
      merchants: Pick<MerchantRepository, 'policy'>;
      clock: () => Date;
    },
  ) {}

  /** A captured payment, where the merchant is billed by amount. */
  async paymentCaptured(
    p: { id: string; merchantId: string; subscriberId: number; transaction: { amount: number; currency: string } },
    at: Date,
  ): Promise<void> {
    if ((await this.d.merchants.policy(p.merchantId)).billingMode !== 'amount') {
      return;
    }
    const { amount, currency } = p.transaction;
    await this.both(`capture:${p.id}`, {
      merchantId: p.merchantId,
      subscriberId: p.subscriberId,
      kind: 'amount',
      amount,
      currency,
      paymentId: p.id,
      bookedAt: at,
    });
  }

  /** An approved verification, where the merchant is billed per verification. */
  async verificationApproved(v: { id: string; merchantId: string; subscriberId: number | null }): Promise<void> {
    if (v.subscriberId === null) {
      return; // a decoy has no subscriber: nobody to bill
    }
    const policy = await this.d.merchants.policy(v.merchantId);
    if (policy.billingMode !== 'per_verification') {
      return;
    }
    await this.both(`verification:${v.id}`, {
      merchantId: v.merchantId,
      subscriberId: v.subscriberId,
      kind: 'per_verification',
      amount: policy.billingValue,
      currency: policy.billingCurrency,
      verificationId: v.id,
      bookedAt: this.d.clock(),
    });
  }

  /** A closed session, where the merchant is billed by the minute (a started minute counts). */
  async sessionClosed(s: { id: string; merchantId: string; subscriberId: number | null; openedAt: Date }, at: Date): Promise<void> {
    const policy = await this.d.merchants.policy(s.merchantId);
    if (policy.billingMode !== 'duration' || s.subscriberId === null) {
      return;
    }
    const minutes = Math.max(1, Math.ceil((at.getTime() - s.openedAt.getTime()) / 60_000));
    await this.both(`session:${s.id}`, {
      merchantId: s.merchantId,
      subscriberId: s.subscriberId,
      kind: 'duration',
      amount: minutes * policy.billingValue,
      currency: policy.billingCurrency,
      bookedAt: at,
    });
  }

  private both(key: string, entry: Booked): Promise<void> {
    return this.d.ledger.book([
      { ...entry, register: 'receiver', idempotencyKey: `${key}:receiver` },
      { ...entry, register: 'merchant', idempotencyKey: `${key}:merchant` },
    ]);
  }
}
