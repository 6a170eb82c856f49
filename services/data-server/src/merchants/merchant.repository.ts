import type { Knex } from '@outband/db';
import {
  messageTemplates,
  senderName,
  type MerchantKeys,
  type MerchantKeyView,
  type MessageTemplates,
  type SealKey,
} from '@outband/contracts';
import type { Logger } from '@outband/observability';
import { keyMaterialOf, keyMaterialToStore, sealedWith } from './merchant-key-seal';
import type { SimSwapAction } from '../number-trust/number-check';
import type { ClaimKey } from '../number-trust/claim-key';

/** What the data server's start did to the stored HS256 secrets (see `MerchantRepository.sealSecrets`). */
export interface SealReport {
  /** Rows in clear now sealed with the active key. */
  sealed: number;
  /** Rows sealed with an older key of the ring, now sealed with the active one. */
  resealed: number;
  /** Rows no key of the ring opens: left as they are, their key is refused until replaced. */
  unreadable: Array<{ merchantId: string; kid: string; status: string; sealedWith: string | undefined }>;
}

/** How a merchant's payments are secured (Fig. 10) and billed (aspects 5-7). */
export interface MerchantPolicy {
  /** Up to this amount (minor units) a payment is `normal`, without a code; null: always secured. */
  limitAmount: number | null;
  /** PSD2 RTS Art. 16 on top of the limit: ≤ 30 EUR each, and ≤ 100 EUR or ≤ 5 payments since the last secured one. */
  lowValueRule: 'none' | 'cumulative_amount' | 'count';
  /** Authorize only once the code is checked (before the session ends) instead of before sending it. */
  authorizeAfterCheck: boolean;
  billingMode: 'amount' | 'per_verification' | 'duration';
  /**
   * For `per_verification`: the value booked per approved verification; for `duration`: per
   * started minute of a first-network session (minor units).
   */
  billingValue: number;
  billingCurrency: string;
  /** The trustee's charge on settled payments, in basis points (1/100 %). */
  serviceChargeBps: number;
  /** ISO countries codes may be sent to; null: every country. */
  allowedCountries: string[] | null;
  /** Verifications per second and per day; null: the installation's defaults. */
  limitPerSecond: number | null;
  limitPerDay: number | null;
  /** Digits and lifetime of the merchant's codes; null: the installation's. */
  codeLength: number | null;
  codeTtlSeconds: number | null;
  /** The brand texts show instead of "Outband", and the merchant's own texts to phones. */
  senderName: string | null;
  templates: MessageTemplates | null;
  /** What to do about a number whose SIM changed or that was ported within `simSwapHours`; null: the installation's. */
  simSwapAction: SimSwapAction | null;
  simSwapHours: number | null;
  /** The keys the operator trusts to sign this merchant's address claims; null: none (claims refused). */
  claimKeys: ClaimKey[] | null;
  /**
   * A transaction start within the cool-down after an address change: refused, or accepted when
   * the merchant names the second factor it checked (`secondFactor`); null: the installation's.
   */
  addressChangeAction: AddressChangeAction | null;
}

export type AddressChangeAction = 'refuse' | 'second_factor';

export const defaultPolicy: MerchantPolicy = {
  limitAmount: null,
  lowValueRule: 'none',
  authorizeAfterCheck: false,
  billingMode: 'amount',
  billingValue: 0,
  billingCurrency: 'EUR',
  serviceChargeBps: 0,
  allowedCountries: null,
  limitPerSecond: null,
  limitPerDay: null,
  codeLength: null,
  codeTtlSeconds: null,
  senderName: null,
  templates: null,
  simSwapAction: null,
  simSwapHours: null,
  claimKeys: null,
  addressChangeAction: null,
};

interface PolicyRow {
  limit_amount: number | string | null;
  low_value_rule: MerchantPolicy['lowValueRule'];
  authorize_after_check: number | boolean;
  billing_mode: MerchantPolicy['billingMode'];
  billing_value: number | string;
  billing_currency: string;
  service_charge_bps: number;
  allowed_countries: string | null;
  limit_per_second: number | null;
  limit_per_day: number | null;
  code_length: number | null;
  code_ttl_seconds: number | null;
  sender_name: string | null;
  templates_json: string | null;
  sim_swap_action: SimSwapAction | null;
  sim_swap_hours: number | null;
  claim_keys: string | null;
  address_change_action: AddressChangeAction | null;
}

export class MerchantRepository {
  constructor(
    private readonly db: Knex,
    /** Seals HS256 secrets at rest (CONTENT_KEYS); absent: they are kept as given. */
    private readonly keyRing?: readonly SealKey[],
    /** Told (once per key and sealing key) when a stored secret cannot be opened. */
    private readonly logger?: Pick<Logger, 'error'>,
    /**
     * How long a policy read is served again without a query (every start reads its merchant's);
     * a change made here is seen at once, one made by another process within `maxAgeMs`. 0: never kept.
     */
    private readonly policyCache: { maxAgeMs: number; clock?: () => number } = { maxAgeMs: 0 },
  ) {}

  private readonly policies = new Map<string, { at: number; policy: Promise<MerchantPolicy> }>();

  private readonly reportedUnreadable = new Set<string>();

  /** The merchant's active JWT verification keys, or undefined for an unknown merchant. */
  async findKeys(merchantId: string): Promise<MerchantKeys | undefined> {
    const merchant = await this.db('merchants').where({ id: merchantId }).first<{ status: string } | undefined>();
    if (!merchant) {
      return undefined;
    }
    const rows = await this.db('merchant_keys')
      .where({ merchant_id: merchantId, status: 'active' })
      .select<Array<{ kid: string; alg: MerchantKeyView['alg']; key_material: string }>>('kid', 'alg', 'key_material');
    const keys: MerchantKeys['keys'] = [];
    for (const r of rows) {
      try {
        keys.push({ kid: r.kid, alg: r.alg, key: keyMaterialOf(this.keyRing, merchantId, r.kid, r.key_material) });
      } catch (err) {
        // One unreadable key (its sealing key left the ring, or the row was altered) is refused
        // alone: the merchant's other keys still verify tokens.
        this.reportUnreadable(merchantId, r.kid, r.key_material, err);
      }
    }
    return { merchantId, active: merchant.status === 'active', keys };
  }

  private reportUnreadable(merchantId: string, kid: string, stored: string, err: unknown): void {
    const kidOfSeal = sealedWith(stored);
    const once = `${merchantId}\n${kid}\n${kidOfSeal ?? ''}`;
    if (this.reportedUnreadable.has(once)) {
      return;
    }
    this.reportedUnreadable.add(once);
    const code = err instanceof Error && 'code' in err ? String(err.code) : 'unknown';
    this.logger?.error(
      { merchantId, kid, sealedWith: kidOfSeal, code },
      'merchant key cannot be opened with CONTENT_KEYS: tokens signed with it are refused (put its sealing key back in the ring, or upload the key again)',
    );
  }

  /** Whether the merchant exists and is not suspended (its keys are not opened for it). */
  async isActive(merchantId: string): Promise<boolean> {
    const merchant = await this.db('merchants').where({ id: merchantId }).first<{ status: string } | undefined>('status');
    return merchant?.status === 'active';
  }

  async upsertMerchant(id: string, name: string): Promise<void> {
    await this.db('merchants').insert({ id, name, status: 'active' }).onConflict('id').merge({ name });
  }

  /** Retires a key: tokens it signed are refused once the information server's cache renews. */
  async retireKey(merchantId: string, kid: string): Promise<boolean> {
    return (await this.db('merchant_keys').where({ merchant_id: merchantId, kid, status: 'active' }).update({ status: 'retired' })) > 0;
  }

  async upsertKey(merchantId: string, key: MerchantKeyView): Promise<void> {
    const material = keyMaterialToStore(this.keyRing, merchantId, key.kid, key.alg, key.key);
    await this.db('merchant_keys')
      .insert({ merchant_id: merchantId, kid: key.kid, alg: key.alg, key_material: material, status: 'active' })
      .onConflict(['merchant_id', 'kid'])
      .merge({ alg: key.alg, key_material: material, status: 'active' });
  }

  /**
   * Brings every stored HS256 secret under the ring's active (first) key: seals those written in
   * clear (before sealing, or by a seed without keys) and re-seals those sealed with an older key,
   * so that key can then leave the ring. A row no key of the ring opens is reported, not fixed.
   */
  async sealSecrets(): Promise<SealReport> {
    const report: SealReport = { sealed: 0, resealed: 0, unreadable: [] };
    const rows = await this.db('merchant_keys')
      .where({ alg: 'HS256' })
      .select<Array<{ id: number; merchant_id: string; kid: string; alg: string; key_material: string; status: string }>>(
        'id',
        'merchant_id',
        'kid',
        'alg',
        'key_material',
        'status',
      );
    const active = this.keyRing?.[0]?.id;
    for (const r of rows) {
      const was = sealedWith(r.key_material);
      if (was === undefined ? active === undefined : was === active) {
        continue; // in clear without a ring (the start says so), or already under the active key
      }
      let secret: string;
      try {
        secret = keyMaterialOf(this.keyRing, r.merchant_id, r.kid, r.key_material);
      } catch {
        report.unreadable.push({ merchantId: r.merchant_id, kid: r.kid, status: r.status, sealedWith: was });
        continue;
      }
      const material = keyMaterialToStore(this.keyRing, r.merchant_id, r.kid, r.alg, secret);
      // Only if still the value read: a key uploaded meanwhile is left to its writer.
      const changed = await this.db('merchant_keys').where({ id: r.id, key_material: r.key_material }).update({ key_material: material });
      if (was === undefined) {
        report.sealed += changed;
      } else {
        report.resealed += changed;
      }
    }
    return report;
  }

  /** The merchant's policy, as read at most `policyCache.maxAgeMs` ago. Shared: never change it. */
  async policy(merchantId: string): Promise<MerchantPolicy> {
    const { maxAgeMs, clock = Date.now } = this.policyCache;
    if (maxAgeMs <= 0) {
      return this.readPolicy(merchantId);
    }
    const now = clock();
    const kept = this.policies.get(merchantId);
    if (kept && now - kept.at < maxAgeMs) {
      return kept.policy;
    }
    // Concurrent starts of one merchant share one read; a failed read is not kept.
    const entry = { at: now, policy: this.readPolicy(merchantId) };
    this.policies.delete(merchantId);
    this.policies.set(merchantId, entry);
    if (this.policies.size > maxPoliciesKept) {
      this.policies.delete(this.policies.keys().next().value as string);
    }
    entry.policy.catch(() => {
      if (this.policies.get(merchantId) === entry) {
        this.policies.delete(merchantId);
      }
    });
    return entry.policy;
  }

  private async readPolicy(merchantId: string): Promise<MerchantPolicy> {
    const row = await this.db('merchant_policies').where({ merchant_id: merchantId }).first<PolicyRow | undefined>();
    if (!row) {
      return defaultPolicy;
    }
    return {
      limitAmount: row.limit_amount === null ? null : Number(row.limit_amount),
      lowValueRule: row.low_value_rule,
      authorizeAfterCheck: Boolean(row.authorize_after_check),
      billingMode: row.billing_mode,
      billingValue: Number(row.billing_value),
      billingCurrency: row.billing_currency,
      serviceChargeBps: row.service_charge_bps,
      allowedCountries: row.allowed_countries === null ? null : row.allowed_countries.split(',').filter(Boolean),
      limitPerSecond: row.limit_per_second,
      limitPerDay: row.limit_per_day,
      codeLength: row.code_length,
      codeTtlSeconds: row.code_ttl_seconds,
      senderName: safeSenderName(row.sender_name),
      templates: row.templates_json === null ? null : safeTemplates(JSON.parse(row.templates_json) as MessageTemplates),
      simSwapAction: row.sim_swap_action,
      simSwapHours: row.sim_swap_hours,
      claimKeys: row.claim_keys === null ? null : (JSON.parse(row.claim_keys) as ClaimKey[]),
      addressChangeAction: row.address_change_action,
    };
  }

  async setPolicy(merchantId: string, p: Partial<MerchantPolicy>): Promise<void> {
    this.policies.delete(merchantId);
    const full = { ...(await this.readPolicy(merchantId)), ...p };
    const row = {
      limit_amount: full.limitAmount,
      low_value_rule: full.lowValueRule,
      authorize_after_check: full.authorizeAfterCheck,
      billing_mode: full.billingMode,
      billing_value: full.billingValue,
      billing_currency: full.billingCurrency,
      service_charge_bps: full.serviceChargeBps,
      allowed_countries: full.allowedCountries === null ? null : full.allowedCountries.join(','),
      limit_per_second: full.limitPerSecond,
      limit_per_day: full.limitPerDay,
      code_length: full.codeLength,
      code_ttl_seconds: full.codeTtlSeconds,
      sender_name: full.senderName,
      templates_json: full.templates === null ? null : JSON.stringify(full.templates),
      sim_swap_action: full.simSwapAction,
      sim_swap_hours: full.simSwapHours,
      claim_keys: full.claimKeys === null ? null : JSON.stringify(full.claimKeys),
      address_change_action: full.addressChangeAction,
    };
    await this.db('merchant_policies')
      .insert({ merchant_id: merchantId, ...row })
      .onConflict('merchant_id')
      .merge(row);
    // A read begun while this was written may hold the old policy.
    this.policies.delete(merchantId);
  }
}

// Merchants are few; the bound only keeps a flood of unknown ids from growing the map.
const maxPoliciesKept = 10_000;

// A brand or a text saved before today's rules may fail them: the operator's own wording is
// used instead, rather than a message the bus would refuse or a text that could forge the SMS.
function safeSenderName(value: string | null): string | null {
  return value !== null && senderName.safeParse(value).success ? value : null;
}

function safeTemplates(saved: MessageTemplates): MessageTemplates | null {
  const kept = Object.fromEntries(
    Object.entries(saved).filter(([purpose, text]) => messageTemplates.safeParse({ [purpose]: text }).success),
  ) as MessageTemplates;
  return Object.keys(kept).length > 0 ? kept : null;
}
