import { requestWindowStart } from './bus-request';
import type { Knex } from '@outband/db';
import type { Channel, Purpose, VerificationStatus } from '@outband/contracts';
import {
  deliveryColumns,
  deliveryFromRows,
  deliveryOrder,
  type DeliveryRow,
  type VerificationDelivery,
} from '../delivery/certificate.repository';
import { isFactorChannel, type FactorChannel } from './factor/factor-channels';
import { realmsOf, subscriberColumns, toSubscriber, type Subscriber, type SubscriberRow } from '../subscribers/subscriber.repository';

/** The durable record of a verification (never the code). */
export interface VerificationRecord {
  id: string;
  merchantId: string;
  /** Null for a decoy: the identifier has no active subscriber (see decoy.ts). */
  subscriberId: number | null;
  /** For a decoy, the keyed hash of the identifier it answers for. */
  decoyOf?: string | null;
  purpose: Purpose;
  status: VerificationStatus;
  addressMasked: string;
  attempts: number;
  maxAttempts: number;
  codeKeyId: string;
  macKeyId: string;
  bindingHash: string;
  correlationId: string | null;
  createdAt: Date;
  expiresAt: Date;
  finishedAt: Date | null;
  /** For purpose `transaction`: what the code approves (shown to the merchant). */
  transaction: { amount: number; currency: string; payee: string } | null;
  /** For purpose `message`: the SHA-256 of the certified text, and its reference. */
  content: { digest: string; reference: string | null } | null;
  /** The first-network session the code lives in, if any: it dies with the session. */
  sessionId?: string | null;
  /** `sms`: the code goes to the phone; `reverse-sms`: the phone sends it back. */
  channel?: Channel;
  /** The Twilio-compatible service it belongs to. */
  serviceSid?: string | null;
  /** Digits of its codes when not the suite's, and the name its texts show instead of "Outband". */
  codeLength?: number | null;
  senderName?: string | null;
  /** The bus request that started it: a redelivery of that request answers with this one. */
  requestId?: string | null;
  /** What the operator's network said of the number before the code went out, and what was done (`swapped:warned` …). */
  numberCheck?: string | null;
  /** Channel `silent`: how far it went (`pending`, then `verified`, `fallback` or `failed`). */
  silent?: SilentOutcome | null;
  /** Channels `totp` and `ocra-app`: the factor whose codes approve it (null when the identifier had none: nothing does). */
  factorId?: string | null;
  /** Channel `ocra-app`: the challenge shown with what is approved. */
  challenge?: string | null;
}

/** How a silent verification went: the network vouched for the device, a code went by SMS instead, or neither. */
export type SilentOutcome = 'pending' | 'verified' | 'fallback' | 'failed';

interface Row {
  id: string;
  merchant_id: string;
  subscriber_id: number | null;
  decoy_of: string | null;
  purpose: Purpose;
  status: VerificationStatus;
  address_masked: string;
  attempts: number;
  max_attempts: number;
  code_key_id: string;
  mac_key_id: string;
  binding_hash: string;
  correlation_id: string | null;
  created_at: Date;
  expires_at: Date;
  finished_at: Date | null;
  amount_minor: number | string | null;
  currency: string | null;
  payee: string | null;
  content_digest: string | null;
  content_reference: string | null;
  session_id: string | null;
  channel: Channel;
  service_sid: string | null;
  code_length: number | null;
  sender_name: string | null;
  request_id: string | null;
  number_check: string | null;
  silent: SilentOutcome | null;
  factor_channel: FactorChannel | null;
  challenge: string | null;
  factor_id: string | null;
}

export class VerificationRepository {
  constructor(
    private readonly db: Knex,
    private readonly o: { merchantRealms?: boolean } = {},
  ) {}

  /** Inserts verifications, inside the caller's transaction when given one. */
  async insert(vs: VerificationRecord[], trx: Knex = this.db): Promise<void> {
    if (vs.length > 0) {
      await trx<Row>('verifications').insert(vs.map(toRow));
    }
  }

  async findById(id: string): Promise<VerificationRecord | undefined> {
    const row = await this.db<Row>('verifications').where({ id }).first();
    return row ? fromRow(row) : undefined;
  }

  /** A merchant's verification with its delivery, in one query (another merchant's id reads as unknown). */
  async findWithDelivery(id: string, merchantId: string): Promise<{ v: VerificationRecord; delivery: VerificationDelivery } | undefined> {
    const rows: Array<Row & DeliveryRow> = await this.db('verifications as v')
      .leftJoin('certificates as c', 'c.verification_id', 'v.id')
      .leftJoin('delivery_attempts as a', 'a.certificate_id', 'c.id')
      .where({ 'v.id': id, 'v.merchant_id': merchantId })
      .orderBy(deliveryOrder)
      .select('v.*', ...deliveryColumns);
    const first = rows[0];
    return first ? { v: fromRow(first), delivery: deliveryFromRows(rows) } : undefined;
  }

  /** A merchant sees only its own verifications: another merchant's id reads as unknown. */
  async findForMerchant(id: string, merchantId: string): Promise<VerificationRecord | undefined> {
    const row = await this.db<Row>('verifications').where({ id, merchant_id: merchantId }).first();
    return row ? fromRow(row) : undefined;
  }

  /** The newest verification an earlier delivery of this bus request started within a day, if any. */
  async byRequest(merchantId: string, requestId: string, now = new Date()): Promise<VerificationRecord | undefined> {
    const row = await this.db<Row>('verifications')
      .where({ merchant_id: merchantId, request_id: requestId })
      .where('created_at', '>=', requestWindowStart(now))
      .orderBy('created_at', 'desc')
      .first();
    return row ? fromRow(row) : undefined;
  }

  /** Verifications of this merchant and subscriber (or decoy) still open at `now`. */
  async pendingFor(merchantId: string, holder: { subscriberId: number } | { decoyOf: string }, now: Date): Promise<VerificationRecord[]> {
    const who = 'subscriberId' in holder ? { subscriber_id: holder.subscriberId } : { decoy_of: holder.decoyOf };
    const rows = await this.db<Row>('verifications')
      .where({ merchant_id: merchantId, ...who, status: 'pending' })
      .where('expires_at', '>', now);
    return rows.map(fromRow);
  }

  /**
   * The subscriber an identifier or an address names, with its verifications still pending at
   * this merchant, in one query: a start needs both.
   */
  async holderWithPending(
    who: { identifier: string } | { address: string } | { id: number },
    merchantId: string,
    now: Date,
  ): Promise<{ subscriber: Subscriber | undefined; pending: VerificationRecord[] }> {
    // A subscriber named by its id is that one, whatever realm a name would be read in.
    const named =
      'id' in who ? { 's.id': who.id } : 'identifier' in who ? { 's.identifier': who.identifier } : { 's.address': who.address };
    const realms = 'id' in who ? undefined : realmsOf(merchantId, this.o.merchantRealms === true);
    const rows: Array<Record<string, unknown>> = await this.db('subscribers as s')
      .leftJoin('verifications as v', (j) => {
        j.on('v.subscriber_id', '=', 's.id')
          .andOnVal('v.merchant_id', '=', merchantId)
          .andOnVal('v.status', '=', 'pending')
          .andOnVal('v.expires_at', '>', now);
      })
      .where(named)
      // The merchant's own realm first, then the installation's (subscriber.repository.ts).
      .modify((q) => {
        if (realms) {
          void q.whereIn('s.realm', realms);
        }
      })
      .orderBy('s.realm', 'desc')
      .select('v.*', ...subscriberColumns.map((c) => `s.${c} as s_${c}`));
    const first = rows[0];
    if (!first) {
      return { subscriber: undefined, pending: [] };
    }
    const subscriber = toSubscriber(Object.fromEntries(subscriberColumns.map((c) => [c, first[`s_${c}`]])) as unknown as SubscriberRow);
    // An address two subscribers share (nothing refuses it): the first one's, as a lookup by address finds.
    const pending = rows.filter((r) => r.id !== null && r.s_id === subscriber.id).map((r) => fromRow(r as unknown as Row));
    return { subscriber, pending };
  }

  /** A Twilio service's verifications checked by these factors (its challenges), newest first. */
  async byFactors(merchantId: string, serviceSid: string, factorIds: string[]): Promise<VerificationRecord[]> {
    if (factorIds.length === 0) {
      return [];
    }
    const rows = await this.db<Row>('verifications')
      .where({ merchant_id: merchantId, service_sid: serviceSid })
      .whereIn('factor_id', factorIds)
      .orderBy('created_at', 'desc')
      .limit(1000);
    return rows.map(fromRow);
  }

  /** Verifications of a session still pending. */
  async pendingInSession(sessionId: string): Promise<VerificationRecord[]> {
    const rows = await this.db<Row>('verifications').where({ session_id: sessionId, status: 'pending' });
    return rows.map(fromRow);
  }

  async setAttempts(id: string, attempts: number): Promise<void> {
    await writeAttempts(this.db, [{ id, attempts }]);
  }

  /**
   * Whether a code sent to this subscriber after `since` (so to the number it has since) was typed
   * or texted back: an approval by a merchant without a code, or a code sent before, proves nothing.
   */
  async approvedSince(subscriberId: number, since: Date): Promise<boolean> {
    const row = await this.db('verifications as v')
      .join('audit_events as a', 'a.verification_id', 'v.id')
      .where({ 'v.subscriber_id': subscriberId, 'v.status': 'approved', 'a.kind': 'check' })
      .whereIn('a.outcome', ['approved', 'reverse:approved'])
      .where('v.created_at', '>', since)
      .first<{ id: string } | undefined>('v.id');
    return row !== undefined;
  }

  /** Records how a silent verification went. */
  async setSilent(id: string, outcome: SilentOutcome): Promise<void> {
    await this.db<Row>('verifications').where({ id }).update({ silent: outcome });
  }

  /** Moves a pending verification to a final status; a final status never changes again. */
  async finish(id: string, status: Exclude<VerificationStatus, 'pending'>, at: Date, attempts?: number): Promise<void> {
    await writeFinishes(this.db, [{ id, status, at, attempts }]);
  }
}

/** A pending record as `finish` leaves it. */
export function finished(
  v: VerificationRecord,
  status: Exclude<VerificationStatus, 'pending'>,
  at: Date,
  attempts?: number,
): VerificationRecord {
  return { ...v, status, finishedAt: at, attempts: attempts ?? v.attempts };
}

function toRow(v: VerificationRecord): Row {
  return {
    id: v.id,
    merchant_id: v.merchantId,
    subscriber_id: v.subscriberId,
    decoy_of: v.decoyOf ?? null,
    purpose: v.purpose,
    status: v.status,
    address_masked: v.addressMasked,
    attempts: v.attempts,
    max_attempts: v.maxAttempts,
    code_key_id: v.codeKeyId,
    mac_key_id: v.macKeyId,
    binding_hash: v.bindingHash,
    correlation_id: v.correlationId,
    created_at: v.createdAt,
    expires_at: v.expiresAt,
    finished_at: v.finishedAt,
    amount_minor: v.transaction?.amount ?? null,
    currency: v.transaction?.currency ?? null,
    payee: v.transaction?.payee ?? null,
    content_digest: v.content?.digest ?? null,
    content_reference: v.content?.reference ?? null,
    session_id: v.sessionId ?? null,
    // The column keeps the channels a code travels by: a silent verification's is its fallback's.
    channel: v.channel === 'silent' || isFactorChannel(v.channel) || !v.channel ? 'sms' : v.channel,
    service_sid: v.serviceSid ?? null,
    code_length: v.codeLength ?? null,
    sender_name: v.senderName ?? null,
    request_id: v.requestId ?? null,
    number_check: v.numberCheck ?? null,
    silent: v.silent ?? null,
    factor_channel: isFactorChannel(v.channel) ? v.channel : null,
    challenge: v.challenge ?? null,
    factor_id: v.factorId ?? null,
  };
}

function fromRow(r: Row): VerificationRecord {
  return {
    id: r.id,
    merchantId: r.merchant_id,
    subscriberId: r.subscriber_id,
    decoyOf: r.decoy_of,
    purpose: r.purpose,
    status: r.status,
    addressMasked: r.address_masked,
    attempts: r.attempts,
    maxAttempts: r.max_attempts,
    codeKeyId: r.code_key_id,
    macKeyId: r.mac_key_id,
    bindingHash: r.binding_hash,
    correlationId: r.correlation_id,
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    finishedAt: r.finished_at,
    transaction:
      r.amount_minor !== null && r.currency && r.payee ? { amount: Number(r.amount_minor), currency: r.currency, payee: r.payee } : null,
    content: r.content_digest ? { digest: r.content_digest, reference: r.content_reference } : null,
    sessionId: r.session_id,
    channel: r.silent ? 'silent' : (r.factor_channel ?? r.channel),
    serviceSid: r.service_sid,
    codeLength: r.code_length,
    senderName: r.sender_name,
    requestId: r.request_id,
    numberCheck: r.number_check,
    silent: r.silent ?? null,
    factorId: r.factor_id ?? null,
    challenge: r.challenge ?? null,
  };
}

/** A `CASE id WHEN … THEN … END` giving each row its own value, the column's own where a row has none. */
function perId<T extends { id: string }>(db: Knex, column: string, rows: T[], value: (r: T) => Date | number | undefined) {
  return db.raw(`CASE id ${rows.map(() => 'WHEN ? THEN COALESCE(?, ??)').join(' ')} ELSE ?? END`, [
    ...rows.flatMap((r) => [r.id, value(r) ?? null, column]),
    column,
  ]);
}

/** Changes the rows' verifications that are still pending: a final status never changes again. */
async function updatePending(
  db: Knex,
  rows: Array<{ id: string }>,
  values: { status?: VerificationStatus; finished_at?: Knex.Raw; attempts?: Knex.Raw },
): Promise<void> {
  await db<Row>('verifications')
    .whereIn(
      'id',
      rows.map((r) => r.id),
    )
    .where({ status: 'pending' })
    .update(values);
}

/** Checks' new counts of attempts on pending verifications, in one statement. */
export async function writeAttempts(db: Knex, all: Array<{ id: string; attempts: number }>): Promise<void> {
  // Two wrong codes of one verification in one batch: the later count (the higher) is the one.
  const highest = new Map<string, number>();
  for (const r of all) {
    highest.set(r.id, Math.max(r.attempts, highest.get(r.id) ?? 0));
  }
  const rows = [...highest].map(([id, attempts]) => ({ id, attempts }));
  if (rows.length > 0) {
    await updatePending(db, rows, { attempts: perId(db, 'attempts', rows, (r) => r.attempts) });
  }
}

/** Moves pending verifications to their final statuses, one statement per status. */
export async function writeFinishes(
  db: Knex,
  rows: Array<{ id: string; status: Exclude<VerificationStatus, 'pending'>; at: Date; attempts?: number | undefined }>,
): Promise<void> {
  for (const status of new Set(rows.map((r) => r.status))) {
    const these = rows.filter((r) => r.status === status);
    await updatePending(db, these, {
      status,
      finished_at: perId(db, 'finished_at', these, (r) => r.at),
      attempts: perId(db, 'attempts', these, (r) => r.attempts),
    });
  }
}
