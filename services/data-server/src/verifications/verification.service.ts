import { randomBytes } from 'node:crypto';
import { AppError } from '@outband/errors';
import type { CheckResult, VerificationFindV1, VerificationView } from '@outband/contracts';
import type { StartInput } from './start/start-input';
import type { FinalState } from './pending/pending-secret.store';
import { finished, writeAttempts, type VerificationRecord } from './verification.repository';
import { deriveCode, macOfCode, withDigits } from './codes/code-derivation';
import { boundDataFor, type BoundData } from './codes/bound-data';
import { currentView, toView, viewWith } from './verification-view';
import { countFailure, failureKeyOf, holderOf, refuseIfBlocked } from '../abuse/lockout';
import { DecoyPacing, unmatchableCode } from './start/decoy';
import { guarded } from './start/guarded-send';
import type { Destination } from '../abuse/number-policy';
import { admitStart, refuseOverSendLimit } from './start/start-admission';
import { issueCode } from './start/issue-code';
import { newVerification, pendingSecretOf } from './start/new-verification';
import { checkedNumber } from './start/checked-number';
import { admittedAfterAddressChange } from './start/recent-address';
import { issueEnrolmentCode } from './start/enrolment-code';
import { startWithClaim } from './start/claimed-address';
import type { VerificationServiceDeps } from './verification.deps';
import type { BusRequest } from './bus-request';
import type { PaymentSettlement } from './lifecycle';
import { startedBy } from './redelivered-start';
import { refuseResendAfterChange, refuseResendOf, resendRefused } from './resend-refused';
import { activeKey } from './codes/active-key';
import { closedError, storeResetError } from './verification-states';
import { identifiedHolder, merchantVerification, merchantVerificationWithDelivery, presentedBinding } from './verification-lookups';
import { audited, type AuditEvent } from '../audit/audit-log';
import { recordedEnds } from './recorded-ends';
import { recordUnsentCode, unsentCodeAnswer } from './start/unsent-code';
import { refuseUnlessSilentPossible } from './silent/silent-start';
import { completeSilent } from './silent/silent-completion';
import { admitFactorStart, refuseUnlessFactorPossible, typedFactorCode } from './factor/factor-channel';
import { isFactorChannel } from './factor/factor-channels';

/** The data server's part of the login flow (patent Fig. 4-5): issue, check, cancel, read. */
export class VerificationService {
  private readonly pacing = new DecoyPacing();

  constructor(private readonly d: VerificationServiceDeps) {}

  async start(req: StartInput, correlationId?: string, request?: BusRequest, holder?: number): Promise<VerificationView> {
    const startedAt = performance.now();
    const earlier = request?.redelivered ? await startedBy(this.d, req.merchantId, request.id) : undefined;
    if (earlier) {
      return this.viewOf(earlier);
    }
    if (req.addressClaim !== undefined) {
      return startWithClaim(this.d, { ...req, addressClaim: req.addressClaim }, { correlationId, requestId: request?.id });
    }
    const now = this.d.clock();
    if (req.channel === 'silent') {
      refuseUnlessSilentPossible(this.d, req);
    } else if (isFactorChannel(req.channel)) {
      refuseUnlessFactorPossible(this.d, req, req.channel);
    }
    // Unknown and suspended identifiers get a decoy: the same answer, nothing sent (decoy.ts).
    const { subscriber, marker, open, inactive } = await identifiedHolder(
      this.d,
      req.merchantId,
      req.identifier,
      req.identifierKind,
      now,
      holder,
    );
    const bound = boundDataFor(req.purpose, { transaction: req.transaction, message: req.message });
    await refuseIfBlocked(this.d, subscriber?.id ?? `d${marker}`, req.merchantId);
    if (req.sessionId) {
      await this.d.requireSession(req.merchantId, req.sessionId, subscriber?.id ?? `d${marker}`);
    }
    // Read once: its countries, its limits, its code and texts.
    const policy = await this.d.policyOf(req.merchantId);
    const channel = req.channel ?? 'sms';
    // Before any window counts it: a refused start counts nowhere.
    const secondFactor = subscriber ? await admittedAfterAddressChange(this.d, req.merchantId, subscriber, req, policy, now) : undefined;
    const { destination, withheld, factor } = isFactorChannel(channel)
      ? await admitFactorStart(this.d, req, { subscriber, marker, inactive }, policy, now, channel)
      : { ...(await admitStart(this.d, req, channel, subscriber, marker, policy, now)), factor: undefined };
    const receiver = withheld ? null : subscriber;
    // The network is asked about a number a code goes to: an authenticator's goes nowhere.
    const numberCheck =
      receiver && !isFactorChannel(channel) ? await checkedNumber(this.d, req.merchantId, receiver, policy, channel, now) : undefined;
    // One open verification per merchant and subscriber: a new one cancels the old.
    for (const old of open) {
      if ((await this.d.pending.cancel(old.id)) === 'canceled') {
        await this.settle(old, 'canceled', now, { payment: 'sweep' });
      }
    }
    const admitted = { subscriber, receiver, marker, policy, channel, bound, now, destination, withheld, factor };
    const { record, code, macKey } = await newVerification(this.d, req, admitted, {
      correlationId,
      requestId: request?.id,
      numberCheck: numberCheck?.decision,
    });
    const { id, expiresAt } = record;
    // The secret first, the records after: a record never names a code that is not there.
    const [, before] = await Promise.all([
      // A withheld reverse code is shown but texting it back cannot approve anything.
      this.d.pending.put(pendingSecretOf(record, macKey, withheld && subscriber ? unmatchableCode() : code, this.d.maxAttempts), now),
      this.d.pending.takeOpen(req.merchantId, subscriber ? `s${subscriber.id}` : `d${marker}`, id, expiresAt, now),
    ]);
    if (before && before !== id && !open.some((o) => o.id === before)) {
      // A start of the same holder that ran alongside this one, not written when this one read:
      // its code dies now (a check of it answers CANCELED), even before its record is written.
      await this.d.pending.cancel(before);
    }
    if (channel !== 'sms') {
      await recordUnsentCode(this.d, record, { channel, code, received: receiver !== null, now, secondFactor });
      const answer = await unsentCodeAnswer(this.d, record, req, { channel, code, destination, now });
      await this.paced(receiver !== null, startedAt);
      return answer;
    }
    const template = policy.templates?.[req.purpose];
    await issueCode(this.d, record, receiver, code, {
      bound,
      locale: req.locale,
      now,
      resent: false,
      template,
      correlationId,
      withheld,
      isNew: true,
      // The audit trail says what a code within an address change's cool-down rests on besides the phone.
      ...(secondFactor ? { issuedAs: `${req.purpose}:${secondFactor}` } : {}),
    });
    await this.paced(receiver !== null, startedAt);
    return toView(record, now, { state: 'queued', updatedAt: now, error: null });
  }

  /** A real start teaches the pacing how long starts take; a decoy's waits that long (decoy.ts). */
  private async paced(real: boolean, startedAt: number): Promise<void> {
    if (real) {
      this.pacing.real(performance.now() - startedAt);
    } else {
      await this.pacing.pad(performance.now() - startedAt);
    }
  }

  /**
   * Sends a new code for a pending verification (the old one stops working): the merchant
   * presents the same transaction or message again; attempts and lifetime carry on; at most
   * `maxSends` codes per verification, `resendCooldownSeconds` apart.
   */
  async resend(
    merchantId: string,
    verificationId: string,
    presentedData: BoundData,
    locale: 'en' | 'fr' | undefined,
    correlationId?: string,
  ): Promise<VerificationView> {
    const v = await merchantVerification(this.d, merchantId, verificationId);
    refuseResendOf(v);
    const binding = await presentedBinding(this.d, v, presentedData);
    await refuseIfBlocked(this.d, holderOf(v), v.merchantId);
    await this.requireSessionOf(v);
    const subscriber = v.subscriberId === null ? null : ((await this.d.subscribers.findById(v.subscriberId)) ?? null);
    refuseResendAfterChange(v, subscriber);
    const macKey = this.d.macKeys.find((k) => k.id === v.macKeyId);
    if ((v.subscriberId !== null && !subscriber) || !macKey) {
      return this.closed(v, 'expired');
    }
    const now = this.d.clock();
    const policy = await this.d.policyOf(merchantId);
    // A decoy's resends are never refused by a guard, so a subscriber's are not either: withheld.
    let to: Destination | undefined;
    let withheld = v.decoyOf
      ? 'WITHHELD'
      : subscriber
        ? await guarded(false, async () => {
            to = await this.d.admitSend(merchantId, subscriber.address, policy.allowedCountries);
          })
        : null;
    await refuseOverSendLimit(this.d, subscriber?.address ?? `decoy:${v.decoyOf}`, now);
    const admitted = to;
    if (admitted && !withheld) {
      withheld = await guarded(false, () => this.d.countSend(merchantId, admitted, now));
    }
    const receiver = withheld ? null : subscriber;
    // The SIM may have changed since the first code: the network is asked again.
    const numberCheck = receiver ? await checkedNumber(this.d, merchantId, receiver, policy, v.channel ?? 'sms', now) : undefined;
    const suite = withDigits(this.d.suite, v.codeLength);
    const code = receiver ? deriveCode(suite, activeKey(this.d.codeKeys), binding, v.id, randomBytes(32), now) : unmatchableCode();
    const outcome = await this.d.pending.resend(
      v.id,
      macOfCode(macKey, v.id, code),
      binding,
      now,
      this.d.resendCooldownSeconds * 1000,
      this.d.maxSends,
    );
    switch (outcome.kind) {
      case 'final':
        return this.closedInStore(v, outcome.state, now);
      case 'mismatch':
      case 'too_many_sends':
      case 'too_soon':
        throw resendRefused(v.purpose, outcome, this.d.maxSends);
      case 'replaced':
        await issueCode(this.d, numberCheck ? { ...v, numberCheck: numberCheck.decision } : v, receiver, code, {
          withheld: subscriber && withheld ? withheld : null,
          bound: boundDataFor(v.purpose, presentedData),
          locale,
          now,
          resent: true,
          template: policy.templates?.[v.purpose],
          correlationId,
        });
        return this.view(v.id, merchantId);
    }
  }

  /** Sends a code to a number someone wants certified for an identifier (an enrolment). */
  async issueEnrolmentCode(e: Parameters<typeof issueEnrolmentCode>[1]): Promise<VerificationRecord> {
    return issueEnrolmentCode(this.d, e);
  }

  /** The device's browser is back from the operator's network: approve, fall back to SMS, or fail (silent-completion.ts). */
  async completeSilent(input: Parameters<typeof completeSilent>[2]): Promise<{ redirect: string }> {
    return completeSilent(this.d, this, input);
  }

  /** Checks a typed code; through a Twilio service (`serviceSid`), another service's verification is unknown, untouched. */
  async check(
    merchantId: string,
    verificationId: string,
    submittedCode: string,
    presentedData: BoundData = {},
    serviceSid?: string,
  ): Promise<CheckResult> {
    // Its delivery is read with it: the answer shows the delivery as the check began.
    const { v, delivery } = await merchantVerificationWithDelivery(this.d, merchantId, verificationId);
    const viewOf = (w: VerificationRecord) => viewWith(w, this.d.clock(), delivery);
    if (serviceSid !== undefined && v.serviceSid !== serviceSid) {
      throw new AppError('not_found', 'VERIFICATION_NOT_FOUND', 'no such verification');
    }
    const presented = await presentedBinding(this.d, v, presentedData);
    await refuseIfBlocked(this.d, holderOf(v), v.merchantId);
    await this.requireSessionOf(v);
    const macKey = this.d.macKeys.find((k) => k.id === v.macKeyId);
    if (!macKey) {
      // The key was retired while the code was pending: fail closed, as if it expired.
      return this.closed(v, 'expired');
    }
    const now = this.d.clock();
    const typed = isFactorChannel(v.channel) ? await typedFactorCode(this.d, v, submittedCode, macKey) : submittedCode;
    const outcome = await this.d.pending.check(v.id, macOfCode(macKey, v.id, typed), presented, now);
    switch (outcome.kind) {
      case 'approved':
        await this.settle(v, 'approved', now, { attempts: outcome.attempts, audit: this.checked(v, 'approved') });
        await this.d.failures.reset(failureKeyOf(v));
        return { outcome: 'approved', verification: viewOf(finished(v, 'approved', now, outcome.attempts)) };
      case 'mismatch':
        await this.d.audit.append(
          this.checked(v, outcome.bindingMatched ? 'mismatch:code' : 'mismatch:data'),
          audited(writeAttempts, { id: v.id, attempts: outcome.attempts }),
        );
        await countFailure(this.d, v);
        return {
          outcome: 'mismatch',
          mismatch: outcome.bindingMatched ? 'code' : v.purpose === 'message' ? 'message' : 'transaction',
          verification: viewOf({ ...v, attempts: outcome.attempts }),
        };
      case 'burned':
        await this.settle(v, 'max_attempts_reached', now, { attempts: outcome.attempts, audit: this.checked(v, 'burned') });
        await countFailure(this.d, v);
        return {
          outcome: 'burned',
          mismatch: outcome.bindingMatched ? 'code' : v.purpose === 'message' ? 'message' : 'transaction',
          verification: viewOf(finished(v, 'max_attempts_reached', now, outcome.attempts)),
        };
      case 'final':
        await this.audit(v, `closed:${this.lostInReset(v, outcome.state, now) ? 'store_reset' : outcome.state}`);
        return this.closedInStore(v, outcome.state, now);
    }
  }

  /**
   * Ends a pending verification without a code: `canceled`, or `approved` when the merchant
   * confirmed a login by other means (Twilio's `Status=approved`), audited as such. A transaction
   * or a message is approved only by its code: that code is the user's signature.
   */
  async cancel(merchantId: string, verificationId: string, to: 'canceled' | 'approved' = 'canceled'): Promise<VerificationView> {
    const v = await merchantVerification(this.d, merchantId, verificationId);
    if (to === 'approved' && v.purpose !== 'login') {
      throw new AppError('invalid_input', 'CODE_REQUIRED', 'a transaction or a message is approved only by checking its code');
    }
    const state = await this.d.pending.cancel(v.id, to);
    if (state !== to) {
      return this.closed(v, state);
    }
    // Recorded with its audit entry; what follows the end (webhook, fee, payment) may fail and be finished later.
    const at = this.d.clock();
    await this.settle(v, to, at, {
      audit: {
        at,
        kind: 'verification.canceled',
        merchantId,
        verificationId: v.id,
        subscriberId: v.subscriberId,
        outcome: to === 'approved' ? 'approved:merchant' : 'canceled',
      },
    });
    return this.view(v.id, merchantId);
  }

  async get(merchantId: string, verificationId: string): Promise<VerificationView> {
    return this.view(verificationId, merchantId);
  }

  /** The newest pending verification of this identifier (or address) in a service, if any. */
  async findPending(req: Omit<VerificationFindV1, 'type' | 'version'>): Promise<{ id: string | null }> {
    const { open } = await identifiedHolder(this.d, req.merchantId, req.identifier, req.identifierKind, this.d.clock());
    const inService = open.filter((v) => (v.serviceSid ?? undefined) === req.serviceSid);
    return { id: inService[inService.length - 1]?.id ?? null };
  }

  /** Appends a check outcome of `v` to the audit trail. */
  async audit(v: VerificationRecord, outcome: string): Promise<void> {
    await this.d.audit.append(this.checked(v, outcome));
  }

  /** The audit entry of a check of `v` (or of a text from the phone) and its outcome. */
  checked(v: VerificationRecord, outcome: string): AuditEvent {
    return { at: this.d.clock(), kind: 'check', merchantId: v.merchantId, verificationId: v.id, subscriberId: v.subscriberId, outcome };
  }

  /** A code in a session that has ended is dead: closing the session ended it (`SESSION_CLOSED`). */
  async requireSessionOf(v: VerificationRecord): Promise<void> {
    if (v.sessionId && v.status === 'pending') {
      await this.d.requireSession(v.merchantId, v.sessionId, holderOf(v));
    }
  }

  private async view(verificationId: string, merchantId: string): Promise<VerificationView> {
    const { v, delivery } = await merchantVerificationWithDelivery(this.d, merchantId, verificationId);
    return viewWith(v, this.d.clock(), delivery);
  }

  /** The merchant's view of `v` (a check passes what it just wrote, not read back). */
  private viewOf(v: VerificationRecord): Promise<VerificationView> {
    return currentView(this.d.certificates, v, this.d.clock());
  }

  /**
   * Records a final state of `v` (durable record, certificate), then hands it to the lifecycle:
   * every end, whoever causes it, passes here once.
   */
  async settle(
    v: VerificationRecord,
    status: FinalState,
    at: Date,
    o: { attempts?: number; payment?: PaymentSettlement; audit?: AuditEvent } = {},
  ): Promise<void> {
    const end = { id: v.id, status, at, attempts: o.attempts };
    if (o.audit) {
      // With its audit row, in the trail's shared transaction.
      await this.d.audit.append(o.audit, audited(recordedEnds, end));
    } else {
      await this.d.verifications.finish(v.id, status, at, o.attempts);
      await this.d.certificates.setOutcome(v.id, status);
    }
    this.d.onFinished?.(v, status);
    await this.d.ended(v, status, o.payment ?? 'now');
  }

  /**
   * The pending store has no code for `v`: `closed`, unless the embedded default's in-memory
   * store started after `v` was issued and `v` has time left, so its code went with the previous
   * process (`LAPTOP_STORE_RESET`; `v` stays pending until it expires, as its code would have).
   */
  private closedInStore(v: VerificationRecord, state: FinalState, now: Date): Promise<never> {
    if (this.lostInReset(v, state, now)) {
      throw storeResetError(this.d.storeStartedAt ?? now);
    }
    return this.closed(v, state);
  }

  private lostInReset(v: VerificationRecord, state: FinalState, now: Date): boolean {
    const startedAt = this.d.storeStartedAt;
    return startedAt !== undefined && state === 'expired' && v.status === 'pending' && v.createdAt < startedAt && v.expiresAt > now;
  }

  /**
   * The code is no longer pending. Redis's answer wins when it has one; when Redis has no
   * trace (expired marker or data lost), the durable record says whether it was used.
   */
  private async closed(v: VerificationRecord, redisState: FinalState): Promise<never> {
    const state: FinalState | 'failed' = redisState === 'expired' && v.status !== 'pending' ? v.status : redisState;
    if (state === 'expired' && v.status === 'pending') {
      await this.settle(v, 'expired', this.d.clock());
    }
    throw closedError(state);
  }
}
