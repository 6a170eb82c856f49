import { randomBytes } from 'node:crypto';
import { AppError } from '@outband/errors';
import type { SilentCompleteV1 } from '@outband/contracts';
import { holderOf, refuseIfBlocked } from '../../abuse/lockout';
import type { AuditEvent } from '../../audit/audit-log';
import type { MerchantPolicy } from '../../merchants/merchant.repository';
import type { Subscriber } from '../../subscribers/subscriber.repository';
import { activeKey } from '../codes/active-key';
import { deriveCode, macOfCode, withDigits } from '../codes/code-derivation';
import { unmatchableCode } from '../start/decoy';
import { issueCode } from '../start/issue-code';
import { refuseOverSendLimit } from '../start/start-admission';
import type { FinalState } from '../pending/pending-secret.store';
import type { VerificationServiceDeps } from '../verification.deps';
import type { VerificationRecord } from '../verification.repository';
import type { SilentState } from './silent-states';

/** What the completion needs of the verification service: every end passes through its `settle`. */
export interface SilentEnds {
  settle(v: VerificationRecord, status: FinalState, at: Date, o: { audit: AuditEvent }): Promise<void>;
  checked(v: VerificationRecord, outcome: string): AuditEvent;
  requireSessionOf(v: VerificationRecord): Promise<void>;
}

/** What the network said of the device: it holds the number, it does not, or nothing could be learnt. */
type Said = 'verified' | 'not_verified' | 'unavailable';

/**
 * The device's browser is back from the operator: the authorization code buys a token, and the
 * network says whether this device holds the subscriber's number. Yes gives that browser a code
 * (in the return URL) which the merchant checks from the session that started the login: a yes
 * alone would approve whoever started it, even from another device whose owner was lured into
 * opening the link. No, or no answer (Wi-Fi, an error, the budget spent), sends a code by SMS
 * unless the merchant chose no fallback. Neither counts as a failed check: anyone can open the
 * link on their own phone, and that must not lock the subscriber out. Answers where the browser
 * goes next.
 */
export async function completeSilent(
  d: VerificationServiceDeps,
  ends: SilentEnds,
  input: Omit<SilentCompleteV1, 'type' | 'version'>,
): Promise<{ redirect: string }> {
  const s = d.silent ? await d.silent.states.take(input.state) : undefined;
  const v = s ? await d.verifications.findForMerchant(s.verificationId, s.merchantId) : undefined;
  if (!s || !v) {
    throw new AppError(
      'not_found',
      'SILENT_STATE_UNKNOWN',
      'this silent verification is unknown, already completed or expired: start again',
    );
  }
  const back = (outcome: string, code?: string) => ({ redirect: returnTo(s.returnUrl, v.id, outcome, code) });
  const now = d.clock();
  if (v.status !== 'pending' || now >= v.expiresAt) {
    return back(v.status === 'pending' ? 'expired' : v.status);
  }
  try {
    // What a check would refuse, the return refuses too: a locked holder, an ended session.
    await refuseIfBlocked(d, holderOf(v), v.merchantId);
    await ends.requireSessionOf(v);
  } catch (e) {
    if (e instanceof AppError) {
      return back(e.code.toLowerCase());
    }
    throw e;
  }
  const subscriber = v.subscriberId !== null && !v.decoyOf ? await d.subscribers.findById(v.subscriberId) : undefined;
  const said = subscriber && input.code ? await networkSays(d, s, input.code, subscriber) : 'unavailable';
  if (said === 'verified') {
    // The longest code the suite makes: it travels in a URL, not through a person's eyes.
    const code = deriveCode(withDigits(d.suite, 10), activeKey(d.codeKeys), v.bindingHash, v.id, randomBytes(32), now);
    const replaced = await replaceCode(d, v, code, now);
    if (replaced !== 'replaced') {
      return back(replaced);
    }
    await d.verifications.setSilent(v.id, 'verified');
    await d.audit.append(ends.checked(v, 'silent:verified'));
    return back('verified', code);
  }
  if (s.fallback === 'none') {
    const state = await d.pending.cancel(v.id, 'canceled');
    if (state !== 'canceled') {
      return back(state);
    }
    await d.verifications.setSilent(v.id, 'failed');
    await ends.settle({ ...v, silent: 'failed' }, 'canceled', now, { audit: ends.checked(v, `silent:${said}`) });
    return back('failed');
  }
  const policy = await d.policyOf(v.merchantId);
  try {
    await countFallbackSend(d, v, subscriber, policy, now);
  } catch (e) {
    if (e instanceof AppError) {
      return back(e.code.toLowerCase());
    }
    throw e;
  }
  const code = subscriber
    ? deriveCode(withDigits(d.suite, v.codeLength), activeKey(d.codeKeys), v.bindingHash, v.id, randomBytes(32), now)
    : unmatchableCode();
  const replaced = await replaceCode(d, v, code, now);
  if (replaced !== 'replaced') {
    return back(replaced);
  }
  await issueCode(d, v, subscriber ?? null, code, {
    bound: {},
    locale: s.locale,
    now,
    resent: false,
    template: policy.templates?.login,
    correlationId: v.correlationId ?? undefined,
    issuedAs: 'login:fallback',
  });
  await d.verifications.setSilent(v.id, 'fallback');
  await d.audit.append(ends.checked(v, `silent:${said}:fallback`));
  return back('code_sent');
}

/** Asks the operator, within the budget; a failure to answer reads as no answer, never as yes. */
async function networkSays(d: VerificationServiceDeps, s: SilentState, code: string, subscriber: Subscriber): Promise<Said> {
  const silent = d.silent!;
  const started = performance.now();
  try {
    const yes = await silent.network.verified(code, s.codeVerifier, subscriber.address, AbortSignal.timeout(silent.budgetMs));
    silent.observe?.('ok', (performance.now() - started) / 1000);
    return yes ? 'verified' : 'not_verified';
  } catch (e) {
    silent.observe?.(e instanceof Error && e.name === 'TimeoutError' ? 'timeout' : 'error', (performance.now() - started) / 1000);
    return 'unavailable';
  }
}

/**
 * The code a silent verification ends with, in place of the unmatchable one it started with (its
 * lifetime and attempts go on). Resends are refused while it waits, so this is its second send.
 */
async function replaceCode(d: VerificationServiceDeps, v: VerificationRecord, code: string, now: Date): Promise<'replaced' | FinalState> {
  const macKey = d.macKeys.find((k) => k.id === v.macKeyId);
  if (!macKey) {
    return 'expired';
  }
  const outcome = await d.pending.resend(v.id, macOfCode(macKey, v.id, code), v.bindingHash, now, 0, Math.max(2, d.maxSends));
  return outcome.kind === 'replaced' ? 'replaced' : outcome.kind === 'final' ? outcome.state : 'canceled';
}

/**
 * A silent start sends nothing, so the number's send limit and the merchant's country and range
 * windows count its fallback instead: a visitor cannot use up a person's texts without a text
 * reaching them. A decoy counts against its marker, as at an SMS start.
 */
async function countFallbackSend(
  d: VerificationServiceDeps,
  v: VerificationRecord,
  subscriber: Subscriber | undefined,
  policy: Pick<MerchantPolicy, 'allowedCountries'>,
  now: Date,
): Promise<void> {
  await refuseOverSendLimit(d, subscriber?.address ?? `decoy:${v.decoyOf}`, now);
  if (subscriber) {
    await d.countSend(v.merchantId, await d.admitSend(v.merchantId, subscriber.address, policy.allowedCountries), now);
  }
}

/**
 * The merchant's return URL with the verification, what became of it, and for a device the
 * network vouched for, the code that approves it (checked from the session that started it).
 */
function returnTo(returnUrl: string, verificationId: string, outcome: string, code?: string): string {
  const url = new URL(returnUrl);
  url.searchParams.set('verification', verificationId);
  url.searchParams.set('outcome', outcome);
  if (code) {
    url.searchParams.set('code', code);
  }
  return url.toString();
}
