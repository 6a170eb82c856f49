import type { FactorView, TwilioAttemptView, TwilioEntityView, VerificationView } from '@outband/contracts';
import { toVerificationSid, type Where } from './twilio-resources';

/** `fa_<hex>` ↔ `YF<hex>`, `ve_<hex>` ↔ `YC<hex>` (a challenge is a verification), `ve_<hex>` → `VL<hex>` (its attempt). */
export const toFactorSid = (id: string) => `YF${id.slice(3)}`;
export const fromFactorSid = (sid: string) => `fa_${sid.slice(2)}`;
export const toChallengeSid = (id: string) => `YC${id.slice(3)}`;
export const fromChallengeSid = (sid: string) => `ve_${sid.slice(2)}`;
export const toAttemptSid = (id: string) => `VL${id.slice(3)}`;
export const fromAttemptSid = (sid: string) => `ve_${sid.slice(2)}`;

const entityUrl = (w: Where, serviceSid: string, identity: string) =>
  `${w.base}/v2/Services/${serviceSid}/Entities/${encodeURIComponent(identity)}`;

/** A Verify v2 Entity resource. */
export function entityResource(e: TwilioEntityView, w: Where) {
  const url = entityUrl(w, e.serviceSid, e.identity);
  return {
    sid: e.sid,
    identity: e.identity,
    account_sid: w.accountSid,
    service_sid: e.serviceSid,
    date_created: e.createdAt,
    date_updated: e.createdAt,
    url,
    links: { factors: `${url}/Factors`, new_factors: `${url}/Factors`, challenges: `${url}/Challenges` },
  };
}

/** A Verify v2 Factor resource (TOTP); `binding` only in the answer that created it. */
export function factorResource(f: FactorView, entitySid: string, w: Where) {
  const sid = toFactorSid(f.id);
  return {
    sid,
    account_sid: w.accountSid,
    service_sid: f.serviceSid ?? null,
    entity_sid: entitySid,
    identity: f.identifier,
    ...(f.binding ? { binding: { secret: f.binding.secret, uri: f.binding.uri ?? null } } : {}),
    options: null,
    date_created: f.createdAt,
    date_updated: f.updatedAt,
    friendly_name: f.label,
    status: f.status === 'verified' ? 'verified' : 'unverified',
    factor_type: f.type,
    config: { alg: f.config.algorithm.toLowerCase(), skew: 1, code_length: f.config.digits, time_step: f.config.periodSeconds ?? 30 },
    metadata: null,
    url: `${entityUrl(w, f.serviceSid ?? '', f.identifier)}/Factors/${sid}`,
  };
}

/** Our end states as a challenge's: a burned one was denied, others that ended without approval expired. */
function challengeStatus(v: VerificationView): 'pending' | 'approved' | 'expired' | 'denied' {
  switch (v.status) {
    case 'pending':
    case 'approved':
    case 'expired':
      return v.status;
    case 'max_attempts_reached':
    case 'failed':
      return 'denied';
    case 'canceled':
    case 'session_closed':
      return 'expired';
  }
}

/** A Verify v2 Challenge resource: a TOTP verification of one of the entity's factors. */
export function challengeResource(v: VerificationView, identity: string, entitySid: string, w: Where, message?: string) {
  const sid = toChallengeSid(v.id);
  const status = challengeStatus(v);
  const url = `${entityUrl(w, v.serviceSid ?? '', identity)}/Challenges/${sid}`;
  return {
    sid,
    account_sid: w.accountSid,
    service_sid: v.serviceSid ?? null,
    entity_sid: entitySid,
    identity,
    factor_sid: v.factorId ? toFactorSid(v.factorId) : null,
    date_created: v.createdAt,
    date_updated: v.createdAt,
    date_responded: status === 'pending' ? null : v.createdAt,
    expiration_date: v.expiresAt,
    status,
    responded_reason: status === 'approved' ? 'none' : null,
    details: { message: message ?? null, date: v.createdAt, fields: [] },
    hidden_details: null,
    metadata: null,
    factor_type: 'totp',
    url,
    links: { notifications: `${url}/Notifications` },
  };
}

/** A Verify v2 Verification Attempt resource. */
export function attemptResource(a: TwilioAttemptView, w: Where) {
  const sid = toAttemptSid(a.verificationId);
  return {
    sid,
    account_sid: w.accountSid,
    service_sid: a.serviceSid,
    verification_sid: toVerificationSid(a.verificationId),
    date_created: a.createdAt,
    date_updated: a.updatedAt,
    conversion_status: a.converted ? 'converted' : 'unconverted',
    channel: a.channel,
    price: null,
    channel_data: { to: a.to },
    url: `${w.base}/v2/Attempts/${sid}`,
  };
}

/** A Verify v2 Verification Attempts Summary resource. */
export function attemptsSummaryResource({ total = 0, converted = 0 }: { total?: number; converted?: number }, w: Where) {
  const counts = { total, converted };
  const rate = counts.total === 0 ? 0 : (100 * counts.converted) / counts.total;
  return {
    total_attempts: counts.total,
    total_converted: counts.converted,
    total_unconverted: counts.total - counts.converted,
    conversion_rate_percentage: rate.toFixed(2),
    url: `${w.base}/v2/Attempts/Summary`,
  };
}
