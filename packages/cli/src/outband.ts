#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { migrateDatabase, openDatabase } from '@outband/db';
import {
  AuditLog,
  dataMigrationSource,
  dataMigrationsTable,
  MerchantRepository,
  SubscriberRepository,
  TwilioAccounts,
  TwilioRepository,
} from '@outband/data-server';
import { messageMigrationSource, messageMigrationsTable } from '@outband/message-server';

const usage = `usage: outband <command>   (DATABASE_URL names the database)
  migrate                                          run the data and message servers' migrations
  merchant create <id> <name>                      add a merchant (or rename it)
  merchant key add <merchant> <kid>                add an HS256 key; prints its secret once
  subscriber add <identifier> <+E164> [mobile|pager-alpha|pager-numeric] [en|fr]
  token <merchant> <kid>                           print a 5-minute merchant JWT (MERCHANT_SECRET=base64)
  twilio credentials <merchant> [auth-token|api-key]
                                                   Twilio-compatible credentials; prints the secret once
  audit verify                                     check the audit trail's hash chain`;

const databaseUrl = process.env.DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/outband';

/** Runs one command; the answer is printed, a mistake is a message and exit code 2. */
async function run(args: string[]): Promise<void> {
  const [command, ...rest] = args;
  if (command === 'token') {
    const [merchant, kid] = rest;
    const secret = Buffer.from(process.env.MERCHANT_SECRET ?? '', 'base64');
    if (secret.length < 32) {
      throw new Usage('set MERCHANT_SECRET to the base64 secret of the key');
    }
    const token = jwt.sign({}, secret, {
      algorithm: 'HS256',
      issuer: need(merchant, 'merchant'),
      audience: process.env.JWT_AUDIENCE ?? 'outband',
      expiresIn: 300,
      keyid: need(kid, 'kid'),
      jwtid: randomBytes(12).toString('hex'),
    });
    console.log(token);
    return;
  }
  switch (`${command ?? ''} ${rest[0] ?? ''}`.trim()) {
    case 'migrate': {
      const data = await migrateDatabase(databaseUrl, dataMigrationSource, dataMigrationsTable);
      const message = await migrateDatabase(databaseUrl, messageMigrationSource, messageMigrationsTable);
      console.log(`applied ${data.length + message.length} migrations`);
      return;
    }
    case 'merchant create': {
      const [, id, name] = rest;
      await withDb((db) => new MerchantRepository(db).upsertMerchant(need(id, 'id'), need(name, 'name')));
      console.log(`merchant ${id ?? ''} ready`);
      return;
    }
    case 'merchant key': {
      const [, verb, merchant, kid] = rest;
      if (verb !== 'add') {
        break;
      }
      const secret = randomBytes(32).toString('base64');
      await withDb((db) =>
        new MerchantRepository(db).upsertKey(need(merchant, 'merchant'), { kid: need(kid, 'kid'), alg: 'HS256', key: secret }),
      );
      console.log(secret);
      return;
    }
    case 'subscriber add': {
      const [, identifier, address, kind = 'mobile', locale = 'en'] = rest;
      if (!['mobile', 'pager-alpha', 'pager-numeric'].includes(kind) || !['en', 'fr'].includes(locale)) {
        break;
      }
      await withDb((db) =>
        new SubscriberRepository(db).upsert({
          identifier: need(identifier, 'identifier'),
          address: need(address, 'address'),
          receiverKind: kind as 'mobile',
          status: 'active',
          locale: locale as 'en',
        }),
      );
      console.log(`subscriber ${identifier ?? ''} ready`);
      return;
    }
    case 'twilio credentials': {
      const [, merchant, kind = 'auth-token'] = rest;
      if (kind !== 'auth-token' && kind !== 'api-key') {
        break;
      }
      const issued = await withDb((db) =>
        new TwilioAccounts({ repo: new TwilioRepository(db), merchants: new MerchantRepository(db), clock: () => new Date() }).issue(
          need(merchant, 'merchant'),
          kind === 'auth-token' ? 'auth_token' : 'api_key',
        ),
      );
      console.log(`account SID ${issued.accountSid}\nusername    ${issued.sid}\npassword    ${issued.secret}`);
      return;
    }
    case 'audit verify': {
      const result = await withDb((db) => new AuditLog(db).verify());
      if (result.firstBroken !== undefined) {
        console.error(`audit chain broken at row ${result.firstBroken} (${result.rows} rows before it hold)`);
        process.exitCode = 3;
        return;
      }
      console.log(`audit chain intact: ${result.rows} rows`);
      return;
    }
  }
  throw new Usage(usage);
}

class Usage extends Error {}

function need(value: string | undefined, name: string): string {
  if (!value) {
    throw new Usage(`missing <${name}>\n${usage}`);
  }
  return value;
}

async function withDb<T>(work: (db: ReturnType<typeof openDatabase>) => Promise<T>): Promise<T> {
  const db = openDatabase(databaseUrl, { min: 0, max: 1 });
  try {
    return await work(db);
  } finally {
    await db.destroy();
  }
}

run(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = err instanceof Usage ? 2 : 1;
});
