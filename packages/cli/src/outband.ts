#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import jwt from 'jsonwebtoken';
import { migrateDatabase, openDatabase, unlockMigrations, type MigrationLog } from '@outband/db';
import { migrateDataDatabase, openAdmin, unlockDataMigrations, type DataAdmin } from '@outband/data-server';
import { messageMigrationSource, messageMigrationsTable } from '@outband/message-server';

const usage = `usage: outband <command>   (DATABASE_URL names the database)
  migrate                                          run the data and message servers' migrations
  migrate --unlock                                 clear a migration lock left by a migration that died
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
  if (command === '--help' || command === '-h' || command === 'help') {
    // Asked for: on stdout, and a success.
    console.log(usage);
    return;
  }
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
      const data = await migrateDataDatabase(databaseUrl, toStderr);
      const message = await migrateDatabase(databaseUrl, messageMigrationSource, messageMigrationsTable, toStderr);
      console.log(`applied ${data.length + message.length} migrations`);
      return;
    }
    case 'migrate --unlock': {
      const db = openDatabase(databaseUrl, { min: 0, max: 2 });
      try {
        const data = await unlockDataMigrations(db);
        const message = await unlockMigrations(db, messageMigrationSource, messageMigrationsTable);
        console.log(`data server migrations: ${data}; message server migrations: ${message}`);
      } finally {
        await db.destroy();
      }
      return;
    }
    case 'merchant create': {
      const [, id, name] = rest;
      await withAdmin((admin) => admin.createMerchant(need(id, 'id'), need(name, 'name')));
      console.log(`merchant ${id ?? ''} ready`);
      return;
    }
    case 'merchant key': {
      const [, verb, merchant, kid] = rest;
      if (verb !== 'add') {
        break;
      }
      const secret = await withAdmin((admin) => admin.addMerchantKey(need(merchant, 'merchant'), need(kid, 'kid')));
      console.log(secret);
      return;
    }
    case 'subscriber add': {
      const [, identifier, address, kind = 'mobile', locale = 'en'] = rest;
      if (!isReceiverKind(kind) || (locale !== 'en' && locale !== 'fr')) {
        break;
      }
      await withAdmin((admin) =>
        admin.addSubscriber({ identifier: need(identifier, 'identifier'), address: need(address, 'address'), receiverKind: kind, locale }),
      );
      console.log(`subscriber ${identifier ?? ''} ready`);
      return;
    }
    case 'twilio credentials': {
      const [, merchant, kind = 'auth-token'] = rest;
      if (kind !== 'auth-token' && kind !== 'api-key') {
        break;
      }
      const issued = await withAdmin((admin) =>
        admin.twilioCredentials(need(merchant, 'merchant'), kind === 'auth-token' ? 'auth_token' : 'api_key'),
      );
      console.log(`account SID ${issued.accountSid}\nusername    ${issued.sid}\npassword    ${issued.secret}`);
      return;
    }
    case 'audit verify': {
      const result = await withAdmin((admin) => admin.verifyAudit());
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

/** What a migration waits for or repairs, said on stderr (stdout holds the answer). */
const toStderr: MigrationLog = {
  info: (_fields, message) => console.error(message),
  warn: (_fields, message) => console.error(message),
};

function need(value: string | undefined, name: string): string {
  if (!value) {
    throw new Usage(`missing <${name}>\n${usage}`);
  }
  return value;
}

const receiverKinds = ['mobile', 'pager-alpha', 'pager-numeric'] as const;

function isReceiverKind(kind: string): kind is (typeof receiverKinds)[number] {
  return (receiverKinds as readonly string[]).includes(kind);
}

/** Opens the database for one command; the changes are audited with the actor `cli`. */
async function withAdmin<T>(work: (admin: DataAdmin) => Promise<T>): Promise<T> {
  const db = openDatabase(databaseUrl, { min: 0, max: 1 });
  try {
    return await work(openAdmin(db, { actor: 'cli' }));
  } finally {
    await db.destroy();
  }
}

run(process.argv.slice(2)).catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = err instanceof Usage ? 2 : 1;
});
