import type { TransactionData, TwilioServiceView, VerificationView } from '@outband/contracts';

/** Where a resource lives, for its `url` field. */
export interface Where {
  base: string;
  accountSid: string;
}

/** Our statuses as Twilio's: a verification whose session closed reads as canceled. */
function statusOf(v: VerificationView): string {
  return v.status === 'session_closed' ? 'canceled' : v.status;
}

/** `ve_<hex>` ↔ `VE<hex>`: the same 128 bits, in Twilio's id format. */
export const toVerificationSid = (id: string) => `VE${id.slice(3)}`;
export const fromVerificationSid = (sid: string) => `ve_${sid.slice(2)}`;

/** A Verify v2 Verification resource. `to` is what the caller sent, or the masked address. */
export function verificationResource(v: VerificationView, serviceSid: string, w: Where, to?: string) {
  const sid = toVerificationSid(v.id);
  const amount = v.transaction ? formatAmount(v.transaction) : null;
  return {
    sid,
    service_sid: serviceSid,
    account_sid: w.accountSid,
    to: to ?? v.to,
    channel: 'sms',
    status: statusOf(v),
    valid: v.status === 'approved',
    lookup: {},
    amount,
    payee: v.transaction?.payee ?? null,
    send_code_attempts: [{ attempt_sid: `VL${v.id.slice(3)}`, channel: 'sms', time: v.createdAt }],
    date_created: v.createdAt,
    date_updated: v.delivery?.updatedAt ?? v.createdAt,
    sna: null,
    url: `${w.base}/v2/Services/${serviceSid}/Verifications/${sid}`,
  };
}

/** A Verify v2 VerificationCheck resource. */
export function verificationCheckResource(v: VerificationView, serviceSid: string, w: Where, to?: string) {
  const { sid, service_sid, account_sid, channel, status, valid, amount, payee, date_created, date_updated } = verificationResource(
    v,
    serviceSid,
    w,
    to,
  );
  return {
    sid,
    service_sid,
    account_sid,
    to: to ?? v.to,
    channel,
    status,
    valid,
    amount,
    payee,
    date_created,
    date_updated,
    sna_attempts_error_codes: [],
  };
}

export function serviceResource(s: TwilioServiceView, w: Where) {
  const url = `${w.base}/v2/Services/${s.sid}`;
  return {
    sid: s.sid,
    account_sid: s.accountSid,
    friendly_name: s.friendlyName,
    code_length: s.codeLength,
    lookup_enabled: false,
    psd2_enabled: true,
    skip_sms_to_landlines: true,
    dtmf_input_required: false,
    tts_name: null,
    do_not_share_warning_enabled: true,
    custom_code_enabled: false,
    push: {},
    totp: {},
    default_template_sid: null,
    verify_event_subscription_enabled: false,
    date_created: s.createdAt,
    date_updated: s.updatedAt,
    url,
    links: { verifications: `${url}/Verifications`, verification_checks: `${url}/VerificationCheck` },
  };
}

const symbols: Record<string, string> = { '€': 'EUR', $: 'USD', '£': 'GBP', '¥': 'JPY' };

/**
 * Twilio's PSD2 `Amount` is free text (`€39.99`, `39.99 EUR`, `USD 5`); Outband binds the code
 * to integer minor units and a currency, so the text must name one (without: `defaultCurrency`).
 */
export function parseAmount(text: string, defaultCurrency = 'EUR'): { amount: number; currency: string } | undefined {
  const m = /^\s*(?:([€$£¥])|([A-Z]{3})\s?)?\s*(\d{1,12})(?:[.,](\d{1,3}))?\s*(?:([€$£¥])|([A-Z]{3}))?\s*$/u.exec(text);
  if (!m) {
    return undefined;
  }
  const named = [m[1] && symbols[m[1]], m[2], m[5] && symbols[m[5]], m[6]].filter((c): c is string => Boolean(c));
  if (named.length > 1) {
    return undefined;
  }
  const currency = named[0] ?? defaultCurrency;
  let digits: number;
  try {
    digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return undefined; // not an ISO 4217 code
  }
  const fraction = m[4] ?? '';
  if (fraction.length > digits) {
    return undefined;
  }
  const amount = Number(m[3]) * 10 ** digits + Number(fraction.padEnd(digits, '0') || 0);
  return amount > 0 ? { amount, currency } : undefined;
}

/** The amount as text again: `€39.99`, `39.99 CHF`. */
export function formatAmount(t: Pick<TransactionData, 'amount' | 'currency'>): string {
  const digits = new Intl.NumberFormat('en', { style: 'currency', currency: t.currency }).resolvedOptions().maximumFractionDigits ?? 2;
  const major = (t.amount / 10 ** digits).toFixed(digits);
  const symbol = Object.entries(symbols).find(([, c]) => c === t.currency)?.[0];
  return symbol ? `${symbol}${major}` : `${major} ${t.currency}`;
}
