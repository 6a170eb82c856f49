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

/** Credentials and Verify services of the Twilio-compatible surface. */
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
}
