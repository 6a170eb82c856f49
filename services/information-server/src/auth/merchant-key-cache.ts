import { createPublicKey, createSecretKey, type KeyObject } from 'node:crypto';
import { AppError, isAppError } from '@outband/errors';
import type { MerchantKeys } from '@outband/contracts';

/** A merchant's verification key, parsed once. */
export interface VerificationKey {
  kid: string;
  alg: 'HS256' | 'RS256' | 'ES256';
  key: KeyObject;
}

export interface CachedMerchant {
  merchantId: string;
  active: boolean;
  keys: VerificationKey[];
}

interface Entry {
  value: CachedMerchant | undefined;
  until: number;
}

/**
 * Merchant keys fetched from the data server and kept for `ttlMs`, so a request costs no
 * round trip; an unknown merchant is remembered briefly too, so junk tokens cannot flood the bus.
 */
export class MerchantKeyCache {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly fetch: (merchantId: string) => Promise<MerchantKeys>,
    private readonly ttlMs: number,
    private readonly negativeTtlMs = 5000,
  ) {}

  async get(merchantId: string): Promise<CachedMerchant | undefined> {
    const hit = this.entries.get(merchantId);
    if (hit && hit.until > Date.now()) {
      return hit.value;
    }
    let value: CachedMerchant | undefined;
    try {
      value = parse(await this.fetch(merchantId));
    } catch (e) {
      if (!(isAppError(e) && e.code === 'MERCHANT_UNKNOWN')) {
        throw e;
      }
    }
    if (this.entries.size > 10_000) {
      this.entries.clear();
    }
    this.entries.set(merchantId, { value, until: Date.now() + (value ? this.ttlMs : this.negativeTtlMs) });
    return value;
  }
}

function parse(m: MerchantKeys): CachedMerchant {
  const keys: VerificationKey[] = [];
  for (const k of m.keys) {
    try {
      const key = k.alg === 'HS256' ? createSecretKey(Buffer.from(k.key, 'base64')) : createPublicKey(k.key);
      keys.push({ kid: k.kid, alg: k.alg, key });
    } catch (cause) {
      throw new AppError('internal', 'MERCHANT_KEY_INVALID', `merchant key ${k.kid} cannot be parsed`, { cause });
    }
  }
  return { merchantId: m.merchantId, active: m.active, keys };
}
