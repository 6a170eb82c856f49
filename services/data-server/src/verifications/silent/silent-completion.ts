import { randomBytes } from 'node:crypto';
import { AppError } from '@outband/errors';
import type { SilentCompleteV1 } from '@outband/contracts';
import { failureKeyOf } from '../../abuse/lockout';
import type { AuditEvent } from '../../audit/audit-log';
import type { Subscriber } from '../../subscribers/subscriber.repository';
import { activeKey } from '../codes/active-key';
import { deriveCode, macOfCode, withDigits } from '../codes/code-derivation';
import { unmatchableCode } from '../start/decoy';
import { issueCode } from '../start/issue-code';
import type { FinalState } from '../pending/pending-secret.store';
import type { VerificationServiceDeps } from '../verification.deps';
import type { VerificationRecord } from '../verification.repository';
import type { SilentState } from './silent-states';

/** What the completion needs of the verification service: every end passes through its `settle`. */
export interface SilentEnds {
  settle(v: VerificationRecord, status: FinalState, at: Date, o: { audit: AuditEvent }): Promise<void>;
  checked(v: VerificationRecord, outcome: string): AuditEvent;
}

/** What the network said of the device: it holds the number, it does not, or nothing could be learnt. */
type Said = 'verified' | 'not_verified' | 'unavailable';

/**
 * The device's browser is back from the operator: the authorization code buys a token, and the
 * network says whether this device holds the subscriber's number. Yes approves the login; no, or
 * no answer (Wi-Fi, an error, the budget spent), sends a code by SMS unless the merchant chose no
 * fallback. Neither counts as a failed check: anyone can open the link on their own phone, and
 * that must not lock the subscriber out. Answers where the browser goes next.
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
  const back = (outcome: string) => ({ redirect: returnTo(s.returnUrl, v.id, outcome) });
  const now = d.clock();
  if (v.status !== 'pending' || now >= v.expiresAt) {
    return back(v.status === 'pending' ? 'expired' : v.status);
  }
  const subscriber = v.subscriberId !== null && !v.decoyOf ? await d.subscribers.findById(v.subscriberId) : undefined;
  const said = subscriber && input.code ? await networkSays(d, s, input.code, subscriber) : 'unavailable';
  if (said === 'verified') {
    const state = await d.pending.cancel(v.id, 'approved');
    if (state !== 'approved') {
      return back(state);
    }
    await d.verifications.setSilent(v.id, 'verified');
    await ends.settle({ ...v, silent: 'verified' }, 'approved', now, { audit: ends.checked(v, 'approved:silent') });
    await d.failures.reset(failureKeyOf(v));
    return back('approved');
  }
  if (s.fallback === 'none') {
    const state = await d.pending.cancel(v.id, 'canceled');
    await d.verifications.setSilent(v.id, 'failed');
    if (state === 'canceled') {
      await ends.settle({ ...v, silent: 'failed' }, 'canceled', now, { audit: ends.checked(v, `silent:${said}`) });
    }
    return back('failed');
  }
  const sent = await sendFallbackCode(d, v, subscriber, now);
  if (sent !== 'replaced') {
    return back(sent);
  }
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
 * A code by SMS on the same verification (its lifetime and attempts go on); a decoy's, or a
 * withheld one's, is unmatchable and goes nowhere, as at its start.
 */
async function sendFallbackCode(
  d: VerificationServiceDeps,
  v: VerificationRecord,
  subscriber: Subscriber | undefined,
  now: Date,
): Promise<'replaced' | FinalState> {
  const macKey = d.macKeys.find((k) => k.id === v.macKeyId);
  if (!macKey) {
    return 'expired';
  }
  const code = subscriber
    ? deriveCode(withDigits(d.suite, v.codeLength), activeKey(d.codeKeys), v.bindingHash, v.id, randomBytes(32), now)
    : unmatchableCode();
  const outcome = await d.pending.resend(v.id, macOfCode(macKey, v.id, code), v.bindingHash, now, 0, d.maxSends);
  if (outcome.kind === 'final') {
    return outcome.state;
  }
  if (outcome.kind !== 'replaced') {
    return 'canceled';
  }
  const policy = await d.policyOf(v.merchantId);
  await issueCode(d, v, subscriber ?? null, code, {
    bound: {},
    locale: undefined,
    now,
    resent: false,
    template: policy.templates?.login,
    correlationId: v.correlationId ?? undefined,
    issuedAs: 'login:fallback',
  });
  return 'replaced';
}

/** The merchant's return URL with the verification and what became of it (the merchant reads the verification to be sure). */
function returnTo(returnUrl: string, verificationId: string, outcome: string): string {
  const url = new URL(returnUrl);
  url.searchParams.set('verification', verificationId);
  url.searchParams.set('outcome', outcome);
  return url.toString();
}
