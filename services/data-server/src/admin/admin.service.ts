import { createPublicKey } from 'node:crypto';
import { AppError } from '@outband/errors';
import type { AdminActionV1, AdminResult, NoticeKind } from '@outband/contracts';
import type { Knex } from '@outband/db';
import type { AuditLog } from '../audit/audit-log';
import type { MerchantRepository } from '../merchants/merchant.repository';
import { assertUsableClaimKey } from '../number-trust/claim-key';
import type { Subscriber, SubscriberRepository } from '../subscribers/subscriber.repository';
import type { TwilioAccounts } from '../twilio/twilio-accounts';

export interface AdminServiceDeps {
  db: Knex;
  merchants: Pick<MerchantRepository, 'upsertMerchant' | 'setPolicy' | 'upsertKey' | 'retireKey'>;
  subscribers: Pick<SubscriberRepository, 'findByIdentifier' | 'upsert' | 'setStatus'>;
  audit: Pick<AuditLog, 'append'>;
  twilio: Pick<TwilioAccounts, 'issue'>;
  /** Sends a notice (no code) to a subscriber's handset. */
  sendNotice: (subscriber: Subscriber, notice: NoticeKind) => Promise<void>;
  clock: () => Date;
}

/** One operator action as the service takes it: the bus request without its envelope. */
export type AdminAction = DistributiveOmit<AdminActionV1, 'type' | 'version'>;

/** `Omit` over each member of a union, so each action keeps its own fields. */
export type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/** The operator's actions (admin API). Each change is in the audit trail with who made it. */
export class AdminService {
  constructor(private readonly d: AdminServiceDeps) {}

  async act(req: AdminAction): Promise<AdminResult> {
    switch (req.action) {
      case 'merchant.list': {
        // Cursor pagination by id: stable under inserts, no offsets.
        const rows = await this.d
          .db('merchants')
          .modify((q) => {
            if (req.cursor) {
              void q.where('id', '>', req.cursor);
            }
          })
          .orderBy('id')
          .limit(req.limit + 1)
          .select<Array<{ id: string; name: string; status: string }>>('id', 'name', 'status');
        const page = rows.slice(0, req.limit);
        return { merchants: page, ...(rows.length > req.limit ? { nextCursor: page[page.length - 1]?.id ?? '' } : {}) };
      }
      case 'merchant.upsert':
        await this.d.merchants.upsertMerchant(req.merchantId, req.name);
        await this.audited(req, { merchantId: req.merchantId });
        return { done: req.action };
      case 'merchant.status': {
        const n = await this.d.db('merchants').where({ id: req.merchantId }).update({ status: req.status });
        if (n === 0) {
          throw new AppError('not_found', 'MERCHANT_UNKNOWN', 'unknown merchant');
        }
        await this.audited(req, { merchantId: req.merchantId, outcome: req.status });
        return { done: req.action };
      }
      case 'policy.set': {
        const { allowedCountries, ...rest } = req.policy;
        for (const key of rest.claimKeys ?? []) {
          assertUsableClaimKey(key);
        }
        await this.d.merchants.setPolicy(req.merchantId, {
          ...Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined)),
          ...(allowedCountries !== undefined ? { allowedCountries } : {}),
        });
        await this.audited(req, { merchantId: req.merchantId });
        return { done: req.action };
      }
      case 'subscriber.upsert': {
        const old = await this.d.subscribers.findByIdentifier(req.identifier);
        await this.d.subscribers.upsert({
          identifier: req.identifier,
          address: req.address,
          receiverKind: req.receiverKind ?? old?.receiverKind ?? 'mobile',
          status: old?.status ?? 'active',
          locale: req.locale ?? old?.locale ?? 'en',
          cardToken: old?.cardToken ?? null,
          bankCustomerId: old?.bankCustomerId ?? null,
          ...(old && old.address !== req.address ? { addressChangedAt: this.d.clock() } : {}),
          certifiedBy: `operator:${req.actor}`,
        });
        const now = await this.d.subscribers.findByIdentifier(req.identifier);
        const moved = old !== undefined && old.address !== req.address;
        if (moved) {
          // The old handset hears of it: if the change was not asked for, its holder can object.
          await this.d.sendNotice(old, 'address_changed');
        }
        await this.audited(req, { subscriberId: now?.id ?? null, outcome: old ? (moved ? 'moved' : 'updated') : 'created' });
        return { done: req.action };
      }
      case 'key.put': {
        await this.requireMerchant(req.merchantId);
        if (req.key.alg !== 'HS256') {
          try {
            createPublicKey(req.key.key);
          } catch {
            throw new AppError('invalid_input', 'KEY_INVALID', 'the key is not a PEM public key this algorithm can use');
          }
        }
        await this.d.merchants.upsertKey(req.merchantId, req.key);
        await this.audited(req, { merchantId: req.merchantId, outcome: req.key.kid });
        return { done: req.action };
      }
      case 'key.retire':
        if (!(await this.d.merchants.retireKey(req.merchantId, req.kid))) {
          throw new AppError('not_found', 'KEY_UNKNOWN', 'this merchant has no active key with this kid');
        }
        await this.audited(req, { merchantId: req.merchantId, outcome: req.kid });
        return { done: req.action };
      case 'twilio.credentials': {
        const credentials = await this.d.twilio.issue(req.merchantId, req.kind);
        await this.audited(req, { merchantId: req.merchantId, outcome: credentials.sid.slice(0, 10) });
        return { done: req.action, credentials };
      }
      case 'subscriber.status': {
        const s = await this.d.subscribers.findByIdentifier(req.identifier);
        if (!s) {
          throw new AppError('not_found', 'SUBSCRIBER_UNKNOWN', 'no subscriber has this identifier');
        }
        await this.d.subscribers.setStatus(s.id, req.status);
        await this.audited(req, { subscriberId: s.id, outcome: req.status });
        return { done: req.action };
      }
    }
  }

  private async requireMerchant(merchantId: string): Promise<void> {
    if (!(await this.d.db('merchants').where({ id: merchantId }).first())) {
      throw new AppError('not_found', 'MERCHANT_UNKNOWN', 'unknown merchant');
    }
  }

  private async audited(req: AdminAction, about: { merchantId?: string; subscriberId?: number | null; outcome?: string }): Promise<void> {
    await this.d.audit.append({
      at: this.d.clock(),
      kind: 'admin',
      merchantId: about.merchantId ?? null,
      verificationId: null,
      subscriberId: about.subscriberId ?? null,
      // The action, its result and who did it (the outcome column holds 40 characters).
      outcome: `${req.action}${about.outcome ? `=${about.outcome}` : ''}@${req.actor}`.slice(0, 40),
    });
  }
}
