import { randomBytes } from 'node:crypto';
import { AppError } from '@outband/errors';
import type { EnrolmentStartV1, EnrolmentView, NoticeKind, VerificationView } from '@outband/contracts';
import { audited, RefusedEntry, type AuditLog } from '../audit/audit-log';
import type { Subscriber, SubscriberRepository } from '../subscribers/subscriber.repository';
import { enrolmentStatement } from '../verifications/start/enrolment-code';
import { maskAddress } from '../verifications/mask-address';
import { toView } from '../verifications/verification-view';
import type { VerificationService } from '../verifications/verification.service';
import type { EnrolmentRecord, EnrolmentRepository } from './enrolment.repository';

export interface EnrolmentDeps {
  enrolments: EnrolmentRepository;
  subscribers: Pick<SubscriberRepository, 'findInRealm' | 'certify'>;
  verifications: Pick<VerificationService, 'issueEnrolmentCode' | 'check' | 'get'>;
  audit: Pick<AuditLog, 'append'>;
  sendNotice: (subscriber: Subscriber, notice: NoticeKind) => Promise<void>;
  clock: () => Date;
  /**
   * Where an enrolment certifies: `installation`, the identifier every merchant names (a merchant
   * changes only one it certified); `merchant`, the enrolling merchant's own realm, which no one
   * else reads and which shadows the installation's identifier for that merchant alone.
   * @defaultValue installation
   */
  realm?: 'installation' | 'merchant';
}

/**
 * Enrolment with proof of possession (patent op. 203–204: the single certified address): a
 * merchant names an identifier and a number, a code goes to the number, and only its holder's
 * confirm certifies it. An identifier whose number someone else certified (the operator, another
 * merchant) is not changed by a merchant; a change of one's own tells the old handset.
 */
export class EnrolmentService {
  constructor(private readonly d: EnrolmentDeps) {}

  async start(req: Omit<EnrolmentStartV1, 'type' | 'version'>, correlationId?: string): Promise<EnrolmentView> {
    const v = await this.d.verifications.issueEnrolmentCode({ ...req, correlationId });
    const e: EnrolmentRecord = {
      id: `en_${randomBytes(16).toString('hex')}`,
      merchantId: req.merchantId,
      identifier: req.identifier,
      address: req.address,
      locale: req.locale ?? 'en',
      verificationId: v.id,
      status: 'pending',
      createdAt: v.createdAt,
      expiresAt: v.expiresAt,
      confirmedAt: null,
    };
    await this.d.enrolments.insert(e);
    return viewOf(e, toView(v, v.createdAt, undefined));
  }

  async get(merchantId: string, id: string): Promise<EnrolmentView> {
    const e = await this.find(merchantId, id);
    return viewOf(e, await this.d.verifications.get(merchantId, e.verificationId));
  }

  /** Checks the code the number received; the right one certifies the number for the identifier. */
  async confirm(merchantId: string, id: string, code: string): Promise<EnrolmentView> {
    const e = await this.find(merchantId, id);
    if (e.status !== 'pending') {
      return this.get(merchantId, id);
    }
    let checked: { verification: VerificationView; outcome?: string };
    try {
      checked = await this.d.verifications.check(merchantId, e.verificationId, code, { message: { text: enrolmentStatement } });
    } catch (err) {
      // Its code was already approved (a confirm cut short, or a check through the verification):
      // the number is proven, the certification is what is left to do.
      const v =
        err instanceof AppError && err.code === 'ALREADY_USED' ? await this.d.verifications.get(merchantId, e.verificationId) : undefined;
      if (v?.status !== 'approved') {
        await this.endUnless(e, err);
        throw err;
      }
      checked = { verification: v };
    }
    const v = checked.verification;
    if (v.status === 'approved') {
      return this.certify(e);
    }
    if (v.status !== 'pending') {
      await this.d.enrolments.end(e.id, v.status === 'expired' ? 'expired' : 'failed', this.d.clock());
      return this.get(merchantId, id);
    }
    return {
      ...viewOf(e, v),
      ...(checked.outcome === 'mismatch'
        ? { cause: { code: 'CODE_MISMATCH', detail: 'wrong code: the enrolment stays pending while attempts are left' } }
        : {}),
    };
  }

  private async certify(e: EnrolmentRecord): Promise<EnrolmentView> {
    const realm = this.d.realm === 'merchant' ? e.merchantId : '';
    const seen = await this.d.subscribers.findInRealm(e.identifier, realm);
    const at = this.d.clock();
    const item: CertifyItem = { e, by: `merchant:${e.merchantId}`, at, realm };
    const moved = seen !== undefined && seen.address !== e.address;
    try {
      await this.d.audit.append(
        {
          at,
          kind: 'subscriber.certified',
          merchantId: e.merchantId,
          verificationId: e.verificationId,
          subscriberId: seen?.id ?? null,
          outcome: seen ? (moved ? 'address_changed' : 'recertified') : 'enrolled',
        },
        audited(certifyRows(this.d), item),
      );
    } catch (err) {
      const refusal = err instanceof RefusedEntry ? err.refusal : err;
      if (refusal instanceof AlreadyEnded) {
        return this.get(e.merchantId, e.id);
      }
      if (refusal instanceof AppError && refusal.code === 'ENROLMENT_REFUSED') {
        await this.d.enrolments.end(e.id, 'failed', this.d.clock());
      }
      throw refusal;
    }
    const before = item.before;
    if (before && before.address !== e.address) {
      // Whoever holds the old number learns of the change, so one nobody asked for is noticed.
      await this.d.sendNotice(before, 'address_changed');
    }
    return this.get(e.merchantId, e.id);
  }

  private async find(merchantId: string, id: string): Promise<EnrolmentRecord> {
    const e = await this.d.enrolments.find(merchantId, id);
    if (!e) {
      throw new AppError('not_found', 'ENROLMENT_NOT_FOUND', 'no such enrolment');
    }
    return e;
  }

  /** A code that can no longer approve ends its enrolment: expired, or failed. */
  private async endUnless(e: EnrolmentRecord, err: unknown): Promise<void> {
    const code = err instanceof AppError ? err.code : '';
    if (code === 'VERIFICATION_EXPIRED' || code === 'LAPTOP_STORE_RESET') {
      await this.d.enrolments.end(e.id, 'expired', this.d.clock());
    } else if (code === 'TOO_MANY_ATTEMPTS' || code === 'CANCELED' || code === 'VERIFICATION_FAILED') {
      await this.d.enrolments.end(e.id, 'failed', this.d.clock());
    }
  }
}

interface CertifyItem {
  e: EnrolmentRecord;
  by: string;
  at: Date;
  realm: string;
  /** The subscriber as it was under the transaction's lock, once certified. */
  before?: Subscriber | undefined;
}

/** Another confirm of the same enrolment certified it first. */
class AlreadyEnded extends Error {}

/**
 * The enrolment's end and the subscriber's certified address, in the audit row's transaction: the
 * end first, so two confirms certify once; the owner checked under the subscriber's lock, so a
 * merchant never takes over an identifier the operator or another merchant certified.
 */
function certifyRows(d: Pick<EnrolmentDeps, 'subscribers' | 'enrolments'>) {
  return async (trx: Parameters<EnrolmentRepository['end']>[3], items: CertifyItem[]) => {
    for (const item of items) {
      const { e, by, at, realm } = item;
      if (!(await d.enrolments.end(e.id, 'confirmed', at, trx))) {
        throw new RefusedEntry(new AlreadyEnded());
      }
      const { before, refused } = await d.subscribers.certify(
        { identifier: e.identifier, address: e.address, locale: e.locale, by, at, realm },
        trx,
      );
      if (refused) {
        throw new RefusedEntry(
          new AppError(
            'conflict',
            'ENROLMENT_REFUSED',
            "this identifier's number was certified by the operator or another merchant: only they can change it",
          ),
        );
      }
      item.before = before;
    }
  };
}

function viewOf(e: EnrolmentRecord, v: VerificationView): EnrolmentView {
  // A pending one past its code's life reads as expired, as a verification does.
  const status = e.status === 'pending' && v.status === 'expired' ? 'expired' : e.status;
  return {
    id: e.id,
    status,
    identifier: e.identifier,
    to: maskAddress(e.address),
    createdAt: e.createdAt.toISOString(),
    expiresAt: e.expiresAt.toISOString(),
    attemptsLeft: status === 'pending' ? v.attemptsLeft : 0,
    verificationId: e.verificationId,
    ...(e.confirmedAt ? { confirmedAt: e.confirmedAt.toISOString() } : {}),
  };
}
