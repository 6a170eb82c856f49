import { randomBytes } from 'node:crypto';
import type { ReceiverKind, TwilioCredentialsView } from '@outband/contracts';
import { migrateDatabase, unlockMigrations, type Knex, type MigrationLog } from '@outband/db';
import { AuditLog } from '../audit/audit-log';
import { MerchantRepository } from '../merchants/merchant.repository';
import { dataMigrationSource, dataMigrationsTable } from '../platform/migrations';
import { SubscriberRepository } from '../subscribers/subscriber.repository';
import { TwilioAccounts } from '../twilio/twilio-accounts';
import { TwilioRepository } from '../twilio/twilio.repository';
import { AdminService, type AdminAction, type DistributiveOmit } from './admin.service';

/** Options of {@link openAdmin}. */
export interface AdminEntryOptions {
  /** Who acts, as the audit trail records it (1-20 letters, digits, _ . or -). */
  actor: string;
  /** @defaultValue the system clock */
  clock?: () => Date;
}

/** A subscriber as the operator adds one (an existing one keeps its status and card). */
export interface NewSubscriber {
  identifier: string;
  address: string;
  receiverKind: ReceiverKind;
  locale: 'en' | 'fr';
}

/** The operator's actions on the data server's database without the server running (the `outband` command). */
export interface DataAdmin {
  /** Adds a merchant, or renames it. */
  createMerchant(id: string, name: string): Promise<void>;
  /** Adds (or replaces) an HS256 key; answers its base64 secret, which is shown this once. */
  addMerchantKey(merchantId: string, kid: string): Promise<string>;
  /** Adds a subscriber, or updates its address, kind and locale. */
  addSubscriber(subscriber: NewSubscriber): Promise<void>;
  /** Issues Twilio-compatible credentials; the secret is in the answer this once. */
  twilioCredentials(merchantId: string, kind: 'auth_token' | 'api_key'): Promise<TwilioCredentialsView>;
  /** Walks the audit trail's hash chain; `firstBroken` is the first row that does not hold. */
  verifyAudit(): Promise<{ rows: number; firstBroken: number | undefined }>;
}

/** Creates the data server's database if needed and runs its migrations; answers the names applied. */
export function migrateDataDatabase(databaseUrl: string, log?: MigrationLog): Promise<string[]> {
  return migrateDatabase(databaseUrl, dataMigrationSource, dataMigrationsTable, log);
}

/** Clears the data server's migration lock left by a migration that died; refuses while one runs. */
export function unlockDataMigrations(db: Knex): Promise<'released' | 'not locked'> {
  return unlockMigrations(db, dataMigrationSource, dataMigrationsTable);
}

/**
 * The admin actions over an open database, through the same service as the admin API, so each
 * change is audited with the actor. The caller owns `db` and destroys it.
 */
export function openAdmin(db: Knex, options: AdminEntryOptions): DataAdmin {
  const clock = options.clock ?? (() => new Date());
  const merchants = new MerchantRepository(db);
  const audit = new AuditLog(db);
  const service = new AdminService({
    db,
    merchants,
    subscribers: new SubscriberRepository(db),
    audit,
    twilio: new TwilioAccounts({ repo: new TwilioRepository(db), merchants, clock }),
    // No bus here: a changed address is audited as moved, but the old handset hears of it only
    // through the admin API.
    sendNotice: () => Promise.resolve(),
    clock,
  });
  const act = (action: DistributiveOmit<AdminAction, 'actor'>) => service.act({ actor: options.actor, ...action });

  return {
    async createMerchant(id, name) {
      await act({ action: 'merchant.upsert', merchantId: id, name });
    },
    async addMerchantKey(merchantId, kid) {
      const secret = randomBytes(32).toString('base64');
      await act({ action: 'key.put', merchantId, key: { kid, alg: 'HS256', key: secret } });
      return secret;
    },
    async addSubscriber(s) {
      await act({ action: 'subscriber.upsert', ...s });
    },
    async twilioCredentials(merchantId, kind) {
      const { credentials } = await act({ action: 'twilio.credentials', merchantId, kind });
      if (!credentials) {
        throw new Error('no credentials were issued');
      }
      return credentials;
    },
    verifyAudit: () => audit.verify(),
  };
}
