import type { Knex } from '@outband/db';
import type { FactorType } from '@outband/contracts';

export type FactorStatus = 'unverified' | 'verified' | 'failed' | 'deleted';
export type FactorAlgorithm = 'SHA1' | 'SHA256' | 'SHA512';

const hashes = { SHA1: 'sha1', SHA256: 'sha256', SHA512: 'sha512' } as const;

/** A factor's algorithm as Node's hash name, and back. */
export const hashOf = (a: FactorAlgorithm) => hashes[a];
export const algorithmOf = (h: (typeof hashes)[FactorAlgorithm]): FactorAlgorithm =>
  (Object.keys(hashes) as FactorAlgorithm[]).find((a) => hashes[a] === h) ?? 'SHA1';

export interface FactorRecord {
  id: string;
  merchantId: string;
  identifier: string;
  type: FactorType;
  status: FactorStatus;
  /** The account name the authenticator shows. */
  label: string;
  /** The shared secret, sealed with the content keys (its id is the context); never stored in clear. */
  sealedSecret: string;
  algorithm: FactorAlgorithm;
  digits: number;
  /** TOTP: its time step. */
  periodSeconds: number | null;
  /** OCRA: the suite the token computes. */
  suite: string | null;
  /** The last time step a code was used at: no code of it or before works again. */
  usedStep: number | null;
  failedConfirms: number;
  /** The Twilio service it was enrolled through; null for the merchant's own. */
  serviceSid: string | null;
  createdAt: Date;
  updatedAt: Date;
  verifiedAt: Date | null;
}

interface Row {
  id: string;
  merchant_id: string;
  identifier: string;
  type: FactorType;
  status: FactorStatus;
  label: string;
  sealed_secret: string;
  algorithm: FactorAlgorithm;
  digits: number;
  period_seconds: number | null;
  suite: string | null;
  used_step: number | null;
  failed_confirms: number;
  service_sid: string | null;
  created_at: Date;
  updated_at: Date;
  verified_at: Date | null;
}

/** Factors: each state change and each used step is one conditional update, so two checks never both win. */
export class FactorRepository {
  constructor(private readonly db: Knex) {}

  async insert(f: FactorRecord): Promise<void> {
    await this.db<Row>('factors').insert({
      id: f.id,
      merchant_id: f.merchantId,
      identifier: f.identifier,
      type: f.type,
      status: f.status,
      label: f.label,
      sealed_secret: f.sealedSecret,
      algorithm: f.algorithm,
      digits: f.digits,
      period_seconds: f.periodSeconds,
      suite: f.suite,
      used_step: f.usedStep,
      failed_confirms: f.failedConfirms,
      service_sid: f.serviceSid,
      created_at: f.createdAt,
      updated_at: f.updatedAt,
      verified_at: f.verifiedAt,
    });
  }

  /** The merchant's factor: another merchant's is unknown. */
  async find(merchantId: string, id: string): Promise<FactorRecord | undefined> {
    const row = await this.db<Row>('factors').where({ id, merchant_id: merchantId }).first();
    return row ? fromRow(row) : undefined;
  }

  /** An identifier's factors of this merchant (in this Twilio service, or its own) that are still there, oldest first. */
  async ofIdentifier(merchantId: string, identifier: string, serviceSid: string | null = null): Promise<FactorRecord[]> {
    const rows = await this.db<Row>('factors')
      .where({ merchant_id: merchantId, identifier, service_sid: serviceSid })
      .whereIn('status', ['unverified', 'verified'])
      .orderBy('created_at');
    return rows.map(fromRow);
  }

  /** Moves a factor on from `from`; answers whether this call did. */
  async transition(id: string, from: FactorStatus, to: FactorStatus, at: Date): Promise<boolean> {
    const changed = await this.db<Row>('factors')
      .where({ id, status: from })
      .update({ status: to, updated_at: at, ...(to === 'verified' ? { verified_at: at } : {}) });
    return changed === 1;
  }

  /** Renames a factor (Twilio's `FriendlyName`). */
  async relabel(id: string, label: string, at: Date): Promise<void> {
    await this.db<Row>('factors').where({ id }).update({ label, updated_at: at });
  }

  /** Ends every factor of a Twilio service (its entity or the service deleted), or of one identity in it. */
  async deleteInService(merchantId: string, serviceSid: string, at: Date, identifier?: string): Promise<void> {
    await this.db<Row>('factors')
      .where({ merchant_id: merchantId, service_sid: serviceSid, ...(identifier !== undefined ? { identifier } : {}) })
      .whereIn('status', ['unverified', 'verified'])
      .update({ status: 'deleted', updated_at: at });
  }

  /** Takes a time step for a code of `id`: false when it, or a later one, was already used. */
  async useStep(id: string, step: number): Promise<boolean> {
    const changed = await this.db<Row>('factors')
      .where({ id })
      .whereIn('status', ['unverified', 'verified'])
      .whereRaw('(used_step IS NULL OR used_step < ?)', [step])
      .update({ used_step: step });
    return changed === 1;
  }

  /** Takes one of a new factor's `limit` tries at a first code; false when none is left (or it is no longer new). */
  async takeConfirmAttempt(id: string, limit: number): Promise<boolean> {
    const changed = await this.db<Row>('factors')
      .where({ id, status: 'unverified' })
      .where('failed_confirms', '<', limit)
      .increment('failed_confirms', 1);
    return changed === 1;
  }

  /** After a wrong first code: the factor fails once its tries are spent; answers whether it did. */
  async failIfSpent(id: string, limit: number, at: Date): Promise<boolean> {
    const changed = await this.db<Row>('factors')
      .where({ id, status: 'unverified' })
      .where('failed_confirms', '>=', limit)
      .update({ status: 'failed', updated_at: at });
    return changed === 1;
  }
}

function fromRow(r: Row): FactorRecord {
  return {
    id: r.id,
    merchantId: r.merchant_id,
    identifier: r.identifier,
    type: r.type,
    status: r.status,
    label: r.label,
    sealedSecret: r.sealed_secret,
    algorithm: r.algorithm,
    digits: Number(r.digits),
    periodSeconds: r.period_seconds === null ? null : Number(r.period_seconds),
    suite: r.suite,
    usedStep: r.used_step === null ? null : Number(r.used_step),
    failedConfirms: Number(r.failed_confirms),
    serviceSid: r.service_sid,
    createdAt: new Date(r.created_at),
    updatedAt: new Date(r.updated_at),
    verifiedAt: r.verified_at ? new Date(r.verified_at) : null,
  };
}
