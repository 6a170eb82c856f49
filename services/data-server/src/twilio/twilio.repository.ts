import type { Knex } from '@outband/db';

export interface TwilioCredentialRow {
  sid: string;
  merchant_id: string;
  account_sid: string;
  secret_sha256: string;
  created_at: Date;
}

export interface TwilioServiceRow {
  sid: string;
  merchant_id: string;
  friendly_name: string;
  code_length: number;
  created_at: Date;
  updated_at: Date;
}

export interface TwilioEntityRow {
  sid: string;
  merchant_id: string;
  service_sid: string;
  identity: string;
  created_at: Date;
}

/** Credentials, Verify services and their entities, of the Twilio-compatible surface. */
export class TwilioRepository {
  constructor(private readonly db: Knex) {}

  async credential(sid: string): Promise<TwilioCredentialRow | undefined> {
    return this.db<TwilioCredentialRow>('twilio_credentials').where({ sid }).first();
  }

  /** The merchant's account SID, if it was given one. */
  async accountSidOf(merchantId: string): Promise<string | undefined> {
    const row = await this.db<TwilioCredentialRow>('twilio_credentials').where({ merchant_id: merchantId }).first('account_sid');
    return row?.account_sid;
  }

  /** Adds a credential, or replaces the secret of an existing one (a rotated auth token). */
  async putCredential(row: TwilioCredentialRow): Promise<void> {
    await this.db('twilio_credentials')
      .insert(row)
      .onConflict('sid')
      .merge({ secret_sha256: row.secret_sha256, created_at: row.created_at });
  }

  async insertService(row: TwilioServiceRow): Promise<void> {
    await this.db('twilio_services').insert(row);
  }

  async service(sid: string, merchantId: string): Promise<TwilioServiceRow | undefined> {
    return this.db<TwilioServiceRow>('twilio_services').where({ sid, merchant_id: merchantId }).first();
  }

  async services(merchantId: string): Promise<TwilioServiceRow[]> {
    return this.db<TwilioServiceRow>('twilio_services').where({ merchant_id: merchantId }).orderBy('created_at').limit(1000);
  }

  async updateService(sid: string, merchantId: string, change: Partial<Pick<TwilioServiceRow, 'friendly_name' | 'code_length'>>, at: Date) {
    await this.db<TwilioServiceRow>('twilio_services')
      .where({ sid, merchant_id: merchantId })
      .update({ ...change, updated_at: at });
  }

  /** Deletes a service and its entities (its factors end with them, by the caller). */
  async deleteService(sid: string, merchantId: string): Promise<void> {
    await this.db.transaction(async (trx) => {
      await trx('twilio_entities').where({ service_sid: sid, merchant_id: merchantId }).delete();
      await trx('twilio_services').where({ sid, merchant_id: merchantId }).delete();
    });
  }

  /** Adds an entity; false when the identity already has one in the service. */
  async insertEntity(row: TwilioEntityRow): Promise<boolean> {
    await this.db('twilio_entities').insert(row).onConflict(['service_sid', 'identity']).ignore();
    return (await this.entity(row.merchant_id, row.service_sid, row.identity))?.sid === row.sid;
  }

  async entity(merchantId: string, serviceSid: string, identity: string): Promise<TwilioEntityRow | undefined> {
    return this.db<TwilioEntityRow>('twilio_entities').where({ merchant_id: merchantId, service_sid: serviceSid, identity }).first();
  }

  async entities(merchantId: string, serviceSid: string): Promise<TwilioEntityRow[]> {
    return this.db<TwilioEntityRow>('twilio_entities')
      .where({ merchant_id: merchantId, service_sid: serviceSid })
      .orderBy('created_at')
      .limit(1000);
  }

  async deleteEntity(merchantId: string, serviceSid: string, identity: string): Promise<void> {
    await this.db('twilio_entities').where({ merchant_id: merchantId, service_sid: serviceSid, identity }).delete();
  }
}
