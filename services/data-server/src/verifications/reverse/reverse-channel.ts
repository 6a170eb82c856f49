import { randomBytes } from 'node:crypto';
import { AppError, isAppError } from '@outband/errors';
import type { KeyEntry } from '@outband/config';
import type { FailureCounter } from '../../abuse/failure-counter';
import type { FinalState, PendingSecretStore } from '../pending/pending-secret.store';
import type { ReverseCodes } from './reverse-codes';
import type { SubscriberRepository } from '../../subscribers/subscriber.repository';
import type { VerificationRecord, VerificationRepository } from '../verification.repository';
import { deriveCode, macOfCode, reverseLookupOf } from '../codes/code-derivation';
import { failureKeyOf } from '../../abuse/lockout';
import type { OcraSuite } from '@outband/otp';
import { reverseCodeOf } from './reverse-code';

/** What became of a text on the reverse channel (a metric label, and for `approved` the verification). */
export type ReverseOutcome =
  | { outcome: 'unreadable' | 'unmatched' }
  | { outcome: 'approved' | 'wrong_source' | 'session_closed' | 'mismatch' | FinalState; verificationId: string; merchantId: string };

/** What the reverse channel asks of the verification service once it found a verification. */
export interface VerificationOutcomes {
  audit(v: VerificationRecord, outcome: string): Promise<void>;
  settle(v: VerificationRecord, status: FinalState, at: Date, o?: { attempts?: number }): Promise<void>;
  requireSessionOf(v: VerificationRecord): Promise<void>;
}

export interface ReverseChannelDeps {
  verifications: Pick<VerificationRepository, 'findById' | 'setAttempts'>;
  subscribers: Pick<SubscriberRepository, 'findById'>;
  pending: Pick<PendingSecretStore, 'check'>;
  reverseCodes: Pick<ReverseCodes, 'find' | 'release'>;
  failures: Pick<FailureCounter, 'reset'>;
  macKeys: KeyEntry[];
  clock: () => Date;
}

/** Codes texted back from handsets (patent aspect 2): the data server's side of `reverse-sms`. */
export class ReverseChannel {
  constructor(
    private readonly d: ReverseChannelDeps,
    private readonly outcomes: VerificationOutcomes,
  ) {}

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
    const subscriber = v.subscriberId === null ? undefined : await this.d.subscribers.findById(v.subscriberId);
    const macKey = this.d.macKeys.find((k) => k.id === v.macKeyId);
    const now = this.d.clock();
    const found = { verificationId: v.id, merchantId: v.merchantId };
    if (!subscriber || !macKey || subscriber.address !== source) {
      // Counted as a failed attempt of that verification: someone else holds its code.
      await this.outcomes.audit(v, 'reverse:wrong_source');
      const counted = await this.d.pending.check(v.id, 'wrong-source', v.bindingHash, now);
      if (counted.kind === 'burned') {
        await this.outcomes.settle(v, 'max_attempts_reached', now, { attempts: counted.attempts });
      } else if (counted.kind === 'mismatch') {
        await this.d.verifications.setAttempts(v.id, counted.attempts);
      }
      return { outcome: 'wrong_source', ...found };
    }
    try {
      await this.outcomes.requireSessionOf(v);
    } catch (e) {
      if (isAppError(e) && e.code === 'SESSION_CLOSED') {
        return { outcome: 'session_closed', ...found };
      }
      throw e;
    }
    const outcome = await this.d.pending.check(v.id, macOfCode(macKey, v.id, code), v.bindingHash, now);
    if (outcome.kind !== 'approved') {
      await this.outcomes.audit(v, `reverse:${outcome.kind === 'final' ? outcome.state : outcome.kind}`);
      return { outcome: outcome.kind === 'final' ? outcome.state : 'mismatch', ...found };
    }
    await this.outcomes.audit(v, 'reverse:approved');
    await this.d.failures.reset(failureKeyOf(v));
    await this.outcomes.settle(v, 'approved', now, { attempts: outcome.attempts });
    await Promise.all(this.d.macKeys.map((k) => this.d.reverseCodes.release(reverseLookupOf(k, code))));
    return { outcome: 'approved', ...found };
  }
}

/** A code no other pending reverse verification has: a text names its code, not its verification. */
export async function reserveReverseCode(
  d: { suite: OcraSuite; reverseCodes: Pick<ReverseCodes, 'claim'> },
  codeKey: KeyEntry,
  macKey: KeyEntry,
  binding: string,
  id: string,
  now: Date,
  expiresAt: Date,
): Promise<string> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const code = deriveCode(d.suite, codeKey, binding, id, randomBytes(32), now);
    if (await d.reverseCodes.claim(reverseLookupOf(macKey, code), id, expiresAt.getTime() - now.getTime())) {
      return code;
    }
  }
  throw new AppError('unavailable', 'REVERSE_CODES_EXHAUSTED', 'no free reverse-channel code right now: retry', { retryable: true });
}
