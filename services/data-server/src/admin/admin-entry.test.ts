import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, type Knex } from '@outband/db';
import { migrateDataDatabase, openAdmin, type DataAdmin } from './admin-entry';

// A medium test on the embedded database (a SQLite file: migrations open their own connection).
let dir: string;
let db: Knex;
let admin: DataAdmin;
beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'admin-entry-'));
  const url = `sqlite:${join(dir, 'data.db')}`;
  expect(await migrateDataDatabase(url)).not.toHaveLength(0);
  db = openDatabase(url);
  admin = openAdmin(db, { actor: 'tester', clock: () => new Date('2030-01-01T00:00:00Z') });
});
afterEach(async () => {
  await db.destroy();
  rmSync(dir, { recursive: true, force: true });
});

describe('the admin entry', () => {
  it('adds a merchant, its key and a subscriber, and audits each change with the actor', async () => {
    await admin.createMerchant('shop', 'Shop');
    const secret = await admin.addMerchantKey('shop', 'k1');
    await admin.addSubscriber({ identifier: 'erin', address: '+33655512377', receiverKind: 'mobile', locale: 'fr' });

    expect(Buffer.from(secret, 'base64')).toHaveLength(32);
    expect(await db('merchant_keys').where({ merchant_id: 'shop', kid: 'k1', alg: 'HS256', key_material: secret }).first()).toBeDefined();
    expect(await db('subscribers').where({ identifier: 'erin' }).first()).toMatchObject({ address: '+33655512377', locale: 'fr' });
    const outcomes = await db('audit_events').orderBy('id').pluck('outcome');
    expect(outcomes).toEqual(['merchant.upsert@tester', 'key.put=k1@tester', 'subscriber.upsert=created@tester']);
    expect(await admin.verifyAudit()).toEqual({ rows: 3, firstBroken: undefined });
  });

  it('refuses a key for an unknown merchant', async () => {
    await expect(admin.addMerchantKey('nobody', 'k1')).rejects.toMatchObject({ code: 'MERCHANT_UNKNOWN' });
  });

  it('issues Twilio credentials under one account SID', async () => {
    await admin.createMerchant('shop', 'Shop');
    const token = await admin.twilioCredentials('shop', 'auth_token');
    const key = await admin.twilioCredentials('shop', 'api_key');
    expect(token.sid).toBe(token.accountSid);
    expect(key.accountSid).toBe(token.accountSid);
    expect(key.sid).toMatch(/^SK[0-9a-f]{32}$/);
  });

  it('keeps an existing subscriber suspended when its address is added again', async () => {
    await admin.addSubscriber({ identifier: 'erin', address: '+33655512377', receiverKind: 'mobile', locale: 'en' });
    await db('subscribers').where({ identifier: 'erin' }).update({ status: 'suspended' });
    await admin.addSubscriber({ identifier: 'erin', address: '+33655512399', receiverKind: 'mobile', locale: 'en' });
    expect(await db('subscribers').where({ identifier: 'erin' }).first()).toMatchObject({ address: '+33655512399', status: 'suspended' });
  });
});
