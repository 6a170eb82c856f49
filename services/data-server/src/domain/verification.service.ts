import { randomBytes, randomUUID } from 'node:crypto';
import { AppError, isAppError } from '@outband/errors';
import type { KeyEntry } from '@outband/config';
import type { CheckResult, MessageSendV1, NoticeKind, VerificationStartV1, VerificationView } from '@outband/contracts';
import type { CertificateRepository } from '../adapters/certificate.repository';
import type { FinalState, PendingSecretStore } from '../adapters/pending-secret.store';
import type { RateDecision } from '@outband/redis-limits';
import type { FailureCounter } from '../adapters/failure-counter';
import type { AuditLog } from '../adapters/audit-log';
import type { ReverseCodes } from '../adapters/reverse-codes';
import type { Subscriber, SubscriberRepository } from '../adapters/subscriber.repository';
import type { VerificationRecord, VerificationRepository } from '../adapters/verification.repository';
import { bindingHash, contentDigest, deriveCode, macOfCode, reverseLookupOf } from './code-derivation';
import { reverseCodeOf } from './reverse-code';
import { boundDataFor, type BoundData } from './bound-data';
import { maskAddress } from './mask-address';
import type { OcraSuite } from './ocra';
import { toView } from './verification-view';

export interface VerificationServiceDeps {
  subscribers: SubscriberRepository;
  verifications: VerificationRepository;
  certificates: CertificateRepository;
  pending: PendingSecretStore;
  /** Hands a message to the message server; resolves once the broker has it. */
  sendMessage: (
    message: Omit<MessageSendV1, 'type' | 'version' | 'sealedCode' | 'sealedTransaction'>,
    code: string,
    bound: BoundData,
    correlationId?: string,
  ) => Promise<void>;
  /** Sends a notice (no code) to the subscriber; resolves once the broker has it. */
  sendNotice: (subscriber: Subscriber, notice: NoticeKind, context: { verificationId: string; merchantId: string }) => Promise<void>;
  /** Temporary blocks (within the failure history) after which the subscriber is suspended; 0: never. */
  blocksBeforePermanent: number;
  /** Queues a webhook event for the merchant (`verification.approved` …). */
  emit?: (merchantId: string, type: string, eventKey: string, data: object) => Promise<void>;
  /** The hash-chained audit trail. */
  audit: Pick<AuditLog, 'append'>;
  /** Consecutive failed checks per subscriber, which a new code does not reset. */
  failures: Pick<FailureCounter, 'blockedFor' | 'add' | 'reset'>;
  /** Counts verifications per merchant; answers whether one more is allowed. */
  merchantLimit: (merchantId: string, now: Date) => Promise<RateDecision>;
  /** Reverse-channel codes waiting to be texted back, and the number they are texted to. */
  reverseCodes: Pick<ReverseCodes, 'claim' | 'find' | 'release'>;
  reverseNumberFor: (address: string) => string;
  /** Refuses a code for a first-network session that is not open (or not this subscriber's). */
  requireSession: (merchantId: string, sessionId: string, subscriberId: number) => Promise<void>;
  /** Refuses a destination no code may go to (invalid, premium rate, country, pumping). */
  guardSend: (merchantId: string, address: string, now: Date) => Promise<void>;
  /** Counts sends per address; answers whether one more is allowed. */
  sendLimit: (address: string, now: Date) => Promise<RateDecision>;
  clock: () => Date;
  codeKeys: KeyEntry[];
  macKeys: KeyEntry[];
  suite: OcraSuite;
  ttlSeconds: number;
  maxAttempts: number;
  /** Codes one verification may send, and the pause between two. */
  maxSends: number;
  resendCooldownSeconds: number;
}

/** What became of a text on the reverse channel (a metric label, and for `approved` the verification). */
export type ReverseOutcome =
  | { outcome: 'unreadable' | 'unmatched' }
  | { outcome: 'approved' | 'wrong_source' | 'session_closed' | 'mismatch' | FinalState; verificationId: string; merchantId: string };

/** The data server's part of the login flow (patent Fig. 4-5): issue, check, cancel, read. */
export class VerificationService {
  constructor(private readonly d: VerificationServiceDeps) {}

  async start(req: VerificationStartV1, correlationId?: string): Promise<VerificationView> {
    const subscriber = await this.d.subscribers.findByIdentifier(req.identifier);
    if (!subscriber) {
      throw new AppError('not_found', 'SUBSCRIBER_UNKNOWN', 'no subscriber has this identifier');
    }
    if (subscriber.status !== 'active') {
      throw new AppError('forbidden', 'SUBSCRIBER_SUSPENDED', 'the subscriber is suspended');
    }
    const bound = boundDataFor(req.purpose, { transaction: req.transaction, message: req.message });
    const { transaction, message } = bound;
    const now = this.d.clock();
    await this.refuseIfBlocked(subscriber.id);
    if (req.sessionId) {
      await this.d.requireSession(req.merchantId, req.sessionId, subscriber.id);
    }
    await this.d.guardSend(req.merchantId, subscriber.address, now);
    const merchantLimit = await this.d.merchantLimit(req.merchantId, now);
    if (!merchantLimit.allowed) {
      throw new AppError('rate_limited', 'MERCHANT_RATE_LIMITED', 'this merchant starts too many verifications: slow down', {
        details: { retryAfterSeconds: merchantLimit.retryAfterSeconds },
      });
    }
    await this.refuseOverSendLimit(subscriber.address, now);
    // One open verification per merchant and subscriber: a new one cancels the old.
    for (const old of await this.d.verifications.pendingFor(req.merchantId, subscriber.id, now)) {
      if ((await this.d.pending.cancel(old.id)) === 'canceled') {
        await this.settle(old, 'canceled', now);
      }
    }
    const id = `ve_${randomBytes(16).toString('hex')}`;
    const codeKey = activeKey(this.d.codeKeys);
    const macKey = activeKey(this.d.macKeys);
    const binding = bindingHash({
      merchantId: req.merchantId,
      identifier: subscriber.identifier,
      purpose: req.purpose,
      verificationId: id,
      ...bound,
    });
    const channel = req.channel ?? 'sms';
    if (channel === 'reverse-sms' && subscriber.receiverKind !== 'mobile') {
      throw new AppError('invalid_input', 'CHANNEL_UNSUPPORTED', 'a pager cannot text a code back: use the sms channel');
    }
    const expiresAt = new Date(now.getTime() + this.d.ttlSeconds * 1000);
    const code =
      channel === 'sms'
        ? deriveCode(this.d.suite, codeKey, binding, id, randomBytes(32), now)
        : await this.reserveReverseCode(codeKey, macKey, binding, id, now, expiresAt);
    const record: VerificationRecord = {
      id,
      merchantId: req.merchantId,
      subscriberId: subscriber.id,
      purpose: req.purpose,
      status: 'pending',
      addressMasked: maskAddress(subscriber.address),
      attempts: 0,
      maxAttempts: this.d.maxAttempts,
      codeKeyId: codeKey.id,
      macKeyId: macKey.id,
      bindingHash: binding,
      correlationId: correlationId ?? null,
      createdAt: now,
      expiresAt,
      finishedAt: null,
      transaction: transaction ? { amount: transaction.amount, currency: transaction.currency, payee: transaction.payee } : null,
      content: message ? { digest: contentDigest(message.text), reference: message.reference ?? null } : null,
      sessionId: req.sessionId ?? null,
      channel,
    };
    await this.d.verifications.insert(record);
    await this.d.pending.put(
      { verificationId: id, mac: macOfCode(macKey, id, code), bindingHash: binding, maxAttempts: this.d.maxAttempts, expiresAt },
      now,
    );
    if (channel === 'reverse-sms') {
      // Nothing goes to the phone: the code is shown on the first network and texted back.
      await this.d.audit.append({
        at: now,
        kind: 'certificate.issued',
        merchantId: req.merchantId,
        verificationId: id,
        subscriberId: subscriber.id,
        outcome: `${req.purpose}:reverse`,
      });
      return { ...toView(record, now, undefined), reverse: { code, sendTo: this.d.reverseNumberFor(subscriber.address) } };
    }
    await this.issue(record, subscriber, code, bound, req.locale, now, 'issued', correlationId);
    return toView(record, now, { state: 'queued', updatedAt: now, error: null });
  }

  /**
   * A text from a handset on the reverse channel. It approves only a pending verification whose
   * code it carries, sent from that subscriber's single address; a text from another number
   * counts as a failed attempt and is in the audit.
   */
  async reverse(source: string, text: string): Promise<ReverseOutcome> {
    const code = reverseCodeOf(text);
    if (!code) {
      return { outcome: 'unreadable' };
    }
    let verificationId: string | undefined;
    for (const key of this.d.macKeys) {
      verificationId ??= await this.d.reverseCodes.find(reverseLookupOf(key, code));
    }
    const v = verificationId ? await this.d.verifications.findById(verificationId) : undefined;
    if (!v) {
      return { outcome: 'unmatched' };
    }
    const subscriber = await this.d.subscribers.findById(v.subscriberId);
    const macKey = this.d.macKeys.find((k) => k.id === v.macKeyId);
    const now = this.d.clock();
    const found = { verificationId: v.id, merchantId: v.merchantId };
    if (!subscriber || !macKey || subscriber.address !== source) {
      // Counted as a failed attempt of that verification: someone else holds its code.
      await this.audit(v, 'reverse:wrong_source');
      const counted = await this.d.pending.check(v.id, 'wrong-source', v.bindingHash, now);
      if (counted.kind === 'burned') {
        await this.settle(v, 'max_attempts_reached', now, counted.attempts);
      } else if (counted.kind === 'mismatch') {
        await this.d.verifications.setAttempts(v.id, counted.attempts);
      }
      return { outcome: 'wrong_source', ...found };
    }
    try {
      await this.requireSessionOf(v);
    } catch (e) {
      if (isAppError(e) && e.code === 'SESSION_CLOSED') {
        return { outcome: 'session_closed', ...found };
      }
      throw e;
    }
    const outcome = await this.d.pending.check(v.id, macOfCode(macKey, v.id, code), v.bindingHash, now);
    if (outcome.kind !== 'approved') {
      await this.audit(v, `reverse:${outcome.kind === 'final' ? outcome.state : outcome.kind}`);
      return { outcome: outcome.kind === 'final' ? outcome.state : 'mismatch', ...found };
    }
    await this.audit(v, 'reverse:approved');
    await this.d.failures.reset(v.subscriberId);
    await this.settle(v, 'approved', now, outcome.attempts);
    await Promise.all(this.d.macKeys.map((k) => this.d.reverseCodes.release(reverseLookupOf(k, code))));
    return { outcome: 'approved', ...found };
  }

  /** A code no other pending reverse verification has: a text names its code, not its verification. */
  private async reserveReverseCode(
    codeKey: KeyEntry,
    macKey: KeyEntry,
    binding: string,
    id: string,
    now: Date,
    expiresAt: Date,
  ): Promise<string> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const code = deriveCode(this.d.suite, codeKey, binding, id, randomBytes(32), now);
      if (await this.d.reverseCodes.claim(reverseLookupOf(macKey, code), id, expiresAt.getTime() - now.getTime())) {
        return code;
      }
    }
    throw new AppError('unavailable', 'REVERSE_CODES_EXHAUSTED', 'no free reverse-channel code right now: retry', { retryable: true });
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
    const v = await this.find(merchantId, verificationId);
    if (v.channel === 'reverse-sms') {
      throw new AppError('invalid_input', 'CHANNEL_UNSUPPORTED', 'a reverse-channel code is texted back, not resent');
    }
    const binding = await this.presentedBinding(v, presentedData);
    await this.refuseIfBlocked(v.subscriberId);
    await this.requireSessionOf(v);
    const subscriber = await this.d.subscribers.findById(v.subscriberId);
    const macKey = this.d.macKeys.find((k) => k.id === v.macKeyId);
    if (!subscriber || !macKey) {
      return this.closed(v, 'expired');
    }
    const now = this.d.clock();
    await this.d.guardSend(merchantId, subscriber.address, now);
    await this.refuseOverSendLimit(subscriber.address, now);
    const code = deriveCode(this.d.suite, activeKey(this.d.codeKeys), binding, v.id, randomBytes(32), now);
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
        return this.closed(v, outcome.state);
      case 'mismatch':
        throw new AppError(
          'invalid_input',
          v.purpose === 'message' ? 'MESSAGE_MISMATCH' : 'TRANSACTION_MISMATCH',
          'a resend must present the same data as the verification it renews',
        );
      case 'too_many_sends':
        throw new AppError('conflict', 'TOO_MANY_RESENDS', `at most ${this.d.maxSends} codes per verification: start a new one`);
      case 'too_soon': {
        const seconds = Math.max(1, Math.ceil(outcome.retryAfterMs / 1000));
        throw new AppError('rate_limited', 'RESEND_TOO_SOON', `wait ${seconds} s before sending another code`, {
          details: { retryAfterSeconds: seconds },
        });
      }
      case 'replaced':
        await this.issue(v, subscriber, code, boundDataFor(v.purpose, presentedData), locale, now, 'resent', correlationId);
        return this.view(v.id, merchantId);
    }
  }

  /** Records the certificate of one code and hands its message to the message server. */
  private async issue(
    v: VerificationRecord,
    subscriber: Subscriber,
    code: string,
    bound: BoundData,
    locale: 'en' | 'fr' | undefined,
    now: Date,
    outcome: 'issued' | 'resent',
    correlationId?: string,
  ): Promise<void> {
    const id = v.id;
    const messageId = randomUUID();
    await this.d.certificates.insert({
      id: messageId,
      verificationId: id,
      address: subscriber.address,
      purpose: v.purpose,
      deliveryState: 'queued',
      deliveryError: null,
      smscMessageId: null,
      outcome: 'pending',
      createdAt: now,
      deliveryUpdatedAt: now,
      contentDigest: v.content?.digest ?? null,
    });
    await this.d.audit.append({
      at: now,
      kind: 'certificate.issued',
      merchantId: v.merchantId,
      verificationId: id,
      subscriberId: subscriber.id,
      outcome: outcome === 'issued' ? v.purpose : `${v.purpose}:resent`,
    });
    try {
      await this.d.sendMessage(
        {
          messageId,
          verificationId: id,
          merchantId: v.merchantId,
          address: subscriber.address,
          receiverKind: subscriber.receiverKind,
          purpose: v.purpose,
          locale: locale ?? subscriber.locale,
          // What is left of the verification's lifetime: a resent code dies with the first.
          expiresInSeconds: Math.max(1, Math.ceil((v.expiresAt.getTime() - now.getTime()) / 1000)),
        },
        code,
        bound,
        correlationId,
      );
    } catch (e) {
      // No message left: the code can never reach the user, so it must not stay usable.
      await this.d.pending.cancel(id);
      await this.d.verifications.finish(id, 'failed', this.d.clock());
      throw e;
    }
  }

  async check(merchantId: string, verificationId: string, submittedCode: string, presentedData: BoundData = {}): Promise<CheckResult> {
    const v = await this.find(merchantId, verificationId);
    const presented = await this.presentedBinding(v, presentedData);
    await this.refuseIfBlocked(v.subscriberId);
    await this.requireSessionOf(v);
    const macKey = this.d.macKeys.find((k) => k.id === v.macKeyId);
    if (!macKey) {
      // The key was retired while the code was pending: fail closed, as if it expired.
      return this.closed(v, 'expired');
    }
    const now = this.d.clock();
    const outcome = await this.d.pending.check(v.id, macOfCode(macKey, v.id, submittedCode), presented, now);
    switch (outcome.kind) {
      case 'approved':
        await this.audit(v, 'approved');
        await this.d.failures.reset(v.subscriberId);
        await this.settle(v, 'approved', now, outcome.attempts);
        return { outcome: 'approved', verification: await this.view(v.id, merchantId) };
      case 'mismatch':
        await this.audit(v, outcome.bindingMatched ? 'mismatch:code' : 'mismatch:data');
        await this.countFailure(v);
        await this.d.verifications.setAttempts(v.id, outcome.attempts);
        return {
          outcome: 'mismatch',
          mismatch: outcome.bindingMatched ? 'code' : v.purpose === 'message' ? 'message' : 'transaction',
          verification: await this.view(v.id, merchantId),
        };
      case 'burned':
        await this.audit(v, 'burned');
        await this.countFailure(v);
        await this.settle(v, 'max_attempts_reached', now, outcome.attempts);
        return {
          outcome: 'burned',
          mismatch: outcome.bindingMatched ? 'code' : v.purpose === 'message' ? 'message' : 'transaction',
          verification: await this.view(v.id, merchantId),
        };
      case 'final':
        await this.audit(v, `closed:${outcome.state}`);
        return this.closed(v, outcome.state);
    }
  }

  async cancel(merchantId: string, verificationId: string): Promise<VerificationView> {
    const v = await this.find(merchantId, verificationId);
    const state = await this.d.pending.cancel(v.id);
    if (state !== 'canceled') {
      return this.closed(v, state);
    }
    await this.settle(v, 'canceled', this.d.clock());
    await this.d.audit.append({
      at: this.d.clock(),
      kind: 'verification.canceled',
      merchantId,
      verificationId: v.id,
      subscriberId: v.subscriberId,
      outcome: 'canceled',
    });
    return this.view(v.id, merchantId);
  }

  async get(merchantId: string, verificationId: string): Promise<VerificationView> {
    return this.view(verificationId, merchantId);
  }

  /**
   * The binding the check presents: for a login, the one on record; for a transaction or a
   * certified message, the hash of the data the merchant presents now, so any change fails.
   */
  private async presentedBinding(v: VerificationRecord, data: BoundData): Promise<string> {
    const bound = boundDataFor(v.purpose, data);
    if (v.purpose === 'login') {
      return v.bindingHash;
    }
    const subscriber = await this.d.subscribers.findById(v.subscriberId);
    return bindingHash({
      merchantId: v.merchantId,
      identifier: subscriber?.identifier ?? '',
      purpose: v.purpose,
      verificationId: v.id,
      ...bound,
    });
  }

  private async audit(v: VerificationRecord, outcome: string): Promise<void> {
    await this.d.audit.append({
      at: this.d.clock(),
      kind: 'check',
      merchantId: v.merchantId,
      verificationId: v.id,
      subscriberId: v.subscriberId,
      outcome,
    });
  }

  /** A code in a session that has ended is dead: closing the session ended it (`SESSION_CLOSED`). */
  private async requireSessionOf(v: VerificationRecord): Promise<void> {
    if (v.sessionId && v.status === 'pending') {
      await this.d.requireSession(v.merchantId, v.sessionId, v.subscriberId);
    }
  }

  private async refuseOverSendLimit(address: string, now: Date): Promise<void> {
    const limit = await this.d.sendLimit(address, now);
    if (!limit.allowed) {
      throw new AppError('rate_limited', 'TOO_MANY_SENDS', 'too many codes were sent to this subscriber recently: try again later', {
        details: { retryAfterSeconds: limit.retryAfterSeconds },
      });
    }
  }

  /**
   * One more failed check of the subscriber. When it starts a temporary block, blocks escalate:
   * the one before the last warns the subscriber by SMS; the last suspends the subscriber for
   * good (an operator reopens it) and says so.
   */
  private async countFailure(v: VerificationRecord): Promise<void> {
    const blocks = await this.d.failures.add(v.subscriberId);
    if (blocks === 0) {
      return;
    }
    const permanent = this.d.blocksBeforePermanent > 0 && blocks >= this.d.blocksBeforePermanent;
    await this.d.audit.append({
      at: this.d.clock(),
      kind: 'subscriber.blocked',
      merchantId: v.merchantId,
      verificationId: v.id,
      subscriberId: v.subscriberId,
      outcome: permanent ? 'permanent' : `temporary:${blocks}`,
    });
    const subscriber = await this.d.subscribers.findById(v.subscriberId);
    if (!subscriber) {
      return;
    }
    if (permanent) {
      await this.d.subscribers.setStatus(subscriber.id, 'suspended');
      await this.d.sendNotice(subscriber, 'lockout_permanent', { verificationId: v.id, merchantId: v.merchantId });
    } else if (blocks === this.d.blocksBeforePermanent - 1) {
      await this.d.sendNotice(subscriber, 'lockout_warning', { verificationId: v.id, merchantId: v.merchantId });
    }
  }

  private async refuseIfBlocked(subscriberId: number): Promise<void> {
    const seconds = await this.d.failures.blockedFor(subscriberId);
    if (seconds > 0) {
      throw new AppError('rate_limited', 'SUBSCRIBER_LOCKED', 'too many failed checks for this subscriber: temporarily blocked', {
        details: { retryAfterSeconds: seconds },
      });
    }
  }

  private async view(verificationId: string, merchantId: string): Promise<VerificationView> {
    const v = await this.find(merchantId, verificationId);
    return toView(v, this.d.clock(), await this.d.certificates.latestFor(v.id), await this.d.certificates.attemptsFor(v.id));
  }

  private async find(merchantId: string, verificationId: string): Promise<VerificationRecord> {
    const v = await this.d.verifications.findForMerchant(verificationId, merchantId);
    if (!v) {
      throw new AppError('not_found', 'VERIFICATION_NOT_FOUND', 'no such verification');
    }
    return v;
  }

  private async settle(v: VerificationRecord, status: Exclude<FinalState, never>, at: Date, attempts?: number): Promise<void> {
    await this.d.verifications.finish(v.id, status, at, attempts);
    await this.d.certificates.setOutcome(v.id, status);
    const event = eventOf[status];
    await this.d.emit?.(v.merchantId, `verification.${event}`, `${v.id}:${status}`, { id: v.id, status, purpose: v.purpose });
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

/** The webhook event of each final state. */
const eventOf: Record<FinalState, 'approved' | 'failed' | 'expired' | 'canceled'> = {
  approved: 'approved',
  max_attempts_reached: 'failed',
  expired: 'expired',
  canceled: 'canceled',
  session_closed: 'canceled',
};

function closedError(state: FinalState | 'failed' | 'pending'): AppError {
  switch (state) {
    case 'approved':
      return new AppError('conflict', 'ALREADY_USED', 'this code was already used: a code is accepted once');
    case 'max_attempts_reached':
      return new AppError('conflict', 'TOO_MANY_ATTEMPTS', 'too many wrong codes: start a new verification');
    case 'canceled':
      return new AppError('conflict', 'CANCELED', 'the verification was canceled');
    case 'session_closed':
      return new AppError('conflict', 'SESSION_CLOSED', 'the session this code belonged to has ended');
    case 'failed':
      return new AppError('conflict', 'VERIFICATION_FAILED', 'the code could not be sent: start a new verification');
    case 'expired':
    case 'pending':
      return new AppError('conflict', 'VERIFICATION_EXPIRED', 'too much time elapsed: the code has expired');
  }
}

function activeKey(ring: KeyEntry[]): KeyEntry {
  const k = ring[0];
  if (!k) {
    throw new AppError('internal', 'KEY_MISSING', 'no active key configured');
  }
  return k;
}
