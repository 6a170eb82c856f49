import type { Knex } from '@outband/db';
import type { MerchantKeys, MerchantKeyView } from '@outband/contracts';

export class MerchantRepository {
  constructor(private readonly db: Knex) {}

  /** The merchant's active JWT verification keys, or undefined for an unknown merchant. */
  async findKeys(merchantId: string): Promise<MerchantKeys | undefined> {
    const merchant = await this.db('merchants').where({ id: merchantId }).first<{ status: string } | undefined>();
    if (!merchant) {
      return undefined;
    }
    const rows = await this.db('merchant_keys')
      .where({ merchant_id: merchantId, status: 'active' })
      .select<Array<{ kid: string; alg: MerchantKeyView['alg']; key_material: string }>>('kid', 'alg', 'key_material');
    return {
      merchantId,
      active: merchant.status === 'active',
      keys: rows.map((r) => ({ kid: r.kid, alg: r.alg, key: r.key_material })),
    };
  }

  async upsertMerchant(id: string, name: string): Promise<void> {
    await this.db('merchants').insert({ id, name, status: 'active' }).onConflict('id').merge({ name });
  }

  async upsertKey(merchantId: string, key: MerchantKeyView): Promise<void> {
    await this.db('merchant_keys')
      .insert({ merchant_id: merchantId, kid: key.kid, alg: key.alg, key_material: key.key, status: 'active' })
      .onConflict(['merchant_id', 'kid'])
      .merge({ alg: key.alg, key_material: key.key, status: 'active' });
  }
}
