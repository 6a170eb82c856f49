import type { Knex } from '@outband/db';
import { migratedDatabase } from '../platform/medium-test-db';
import { MerchantRepository } from './merchant.repository';

// A medium test on the embedded database: a merchant's policy is read once per cache age, a
// change made through the repository applies at once, one made behind it within the age.
let db: Knex;
let now: number;
let reads: number;
let merchants: MerchantRepository;

beforeEach(async () => {
  db = await migratedDatabase();
  now = Date.parse('2025-01-01T00:00:00.000Z');
  reads = 0;
  db.on('query', (q: { sql: string }) => {
    if (q.sql.includes('merchant_policies') && q.sql.startsWith('select')) {
      reads += 1;
    }
  });
  merchants = new MerchantRepository(db, undefined, undefined, { maxAgeMs: 2000, clock: () => now });
  await merchants.upsertMerchant('shop', 'Shop');
  await merchants.setPolicy('shop', { senderName: 'Acme' });
  reads = 0;
});
afterEach(async () => {
  await db.destroy();
});

/** Changes the row as another process would: not through this repository. */
const changeBehind = (senderName: string) => db('merchant_policies').where({ merchant_id: 'shop' }).update({ sender_name: senderName });

it('serves concurrent and later reads within the age from one query', async () => {
  const policies = await Promise.all([merchants.policy('shop'), merchants.policy('shop'), merchants.policy('shop')]);
  now += 1999;
  policies.push(await merchants.policy('shop'));

  expect(policies.map((p) => p.senderName)).toEqual(['Acme', 'Acme', 'Acme', 'Acme']);
  expect(reads).toBe(1);
});

it('reads again once the age has passed, so a change made elsewhere is seen within it', async () => {
  await merchants.policy('shop');
  await changeBehind('Bolt');
  expect((await merchants.policy('shop')).senderName).toBe('Acme');

  now += 2000;
  expect((await merchants.policy('shop')).senderName).toBe('Bolt');
  expect(reads).toBe(2);
});

it('applies a change made through it to the next read, merged with what is stored, not what was kept', async () => {
  await merchants.policy('shop');
  await changeBehind('Bolt');
  await merchants.setPolicy('shop', { codeLength: 8 });

  const p = await merchants.policy('shop');
  expect({ senderName: p.senderName, codeLength: p.codeLength }).toEqual({ senderName: 'Bolt', codeLength: 8 });
});

it('keeps nothing with an age of 0', async () => {
  const uncached = new MerchantRepository(db);
  await uncached.policy('shop');
  await uncached.policy('shop');
  expect(reads).toBe(2);
});

it('keeps the keys trusted to sign address claims, and forgets them when set to null', async () => {
  const claimKeys = [
    { kid: 'idp-1', alg: 'ES256' as const, key: '-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n' },
    { kid: 'idp-2', alg: 'RS256' as const, key: '-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----\n' },
  ];
  expect((await merchants.policy('shop')).claimKeys).toBeNull();

  await merchants.setPolicy('shop', { claimKeys });
  await merchants.setPolicy('shop', { codeLength: 8 });
  expect((await new MerchantRepository(db).policy('shop')).claimKeys).toEqual(claimKeys);

  await merchants.setPolicy('shop', { claimKeys: null });
  expect((await new MerchantRepository(db).policy('shop')).claimKeys).toBeNull();
});
