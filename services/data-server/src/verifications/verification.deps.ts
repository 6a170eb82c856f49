import type { CountryCode } from 'libphonenumber-js/max';
import type { KeyEntry } from '@outband/config';
import type { Channel, NoticeKind } from '@outband/contracts';
import type { NumberCheck } from '../number-trust/number-check';
import type { CodeMessage } from '../delivery/outbound-messages';
import type { Destination } from '../abuse/number-policy';
import type { RateDecision } from '@outband/redis-limits';
import type { AuditLog } from '../audit/audit-log';
import type { CertificateRepository } from '../delivery/certificate.repository';
import type { OutboxMessage } from '../delivery/message-outbox';
import type { IssueRecord } from './start/issue-records';
import type { FailureCounter } from '../abuse/failure-counter';
import type { AddressChangeAction, MerchantPolicy } from '../merchants/merchant.repository';
import type { FinalState, PendingSecretStore } from './pending/pending-secret.store';
import type { ReverseCodes } from './reverse/reverse-codes';
import type { Subscriber, SubscriberRepository } from '../subscribers/subscriber.repository';
import type { VerificationRecord, VerificationRepository } from './verification.repository';
import type { BoundData } from './codes/bound-data';
import type { OcraSuite } from '@outband/otp';
import type { PaymentSettlement } from './lifecycle';
import type { FactorService } from '../factors/factor.service';
import type { SilentStates } from './silent/silent-states';
import type { CamaraNumberVerification } from '../number-trust/camara-number-verification';

/** What the verification service needs: stores, limits and senders, all given by the composition root. */
export interface VerificationServiceDeps {
  subscribers: SubscriberRepository;
  verifications: VerificationRepository;
  certificates: CertificateRepository;
  pending: PendingSecretStore;
  /** A code's `message.send`, sealed for the bus. */
  sealCode: (message: CodeMessage, code: string, bound: BoundData, correlationId?: string) => OutboxMessage;
  /**
   * Writes what an issued code leaves (its audit row, the new verification, its certificate and
   * outbox row) in one transaction, then publishes its message. Resolves once committed.
   */
  record: (r: IssueRecord) => Promise<void>;
  /** Sends a notice (no code) to the subscriber; resolves once the broker has it. */
  sendNotice: (subscriber: Subscriber, notice: NoticeKind, context: { verificationId: string; merchantId: string }) => Promise<void>;
  /** Blocks at one merchant (within the failure history) from which each is told to the subscriber by SMS; 0: never. */
  blocksBeforePermanent: number;
  /** What follows a recorded end (webhook, fee, payment): the verification lifecycle. */
  ended: (v: VerificationRecord, status: FinalState, payment: PaymentSettlement) => Promise<void>;
  /** The hash-chained audit trail. */
  audit: Pick<AuditLog, 'append'>;
  /** Consecutive failed checks per subscriber, which a new code does not reset. */
  failures: Pick<FailureCounter, 'blockedFor' | 'add' | 'reset'>;
  /** Counts verifications per merchant; answers whether one more is allowed. */
  merchantLimit: (merchantId: string, policy: Pick<MerchantPolicy, 'limitPerSecond' | 'limitPerDay'>, now: Date) => Promise<RateDecision>;
  /** Reverse-channel codes waiting to be texted back, and the number they are texted to. */
  reverseCodes: Pick<ReverseCodes, 'claim' | 'find' | 'release'>;
  reverseNumberFor: (address: string) => string;
  /** Refuses a code for a first-network session that is not open (or not this subscriber's). */
  requireSession: (merchantId: string, sessionId: string, holder: number | string) => Promise<void>;
  /** Refuses a destination no code may go to (invalid, premium rate, country, blocked range); counts nothing. */
  admitSend: (merchantId: string, address: string, allowedCountries: readonly string[] | null) => Promise<Destination>;
  /** Counts a send that passed every other check towards the merchant's country and range windows. */
  countSend: (merchantId: string, to: Destination, now: Date) => Promise<void>;
  /** The merchant's policy: its limits, code length and lifetime, brand and templates (null: ours). */
  policyOf: (merchantId: string) => Promise<MerchantPolicy>;
  /**
   * Asks the operator's network whether a mobile number's SIM changed or it was ported recently,
   * and applies the merchant's action (throws its refusal); absent: no network API is configured.
   */
  checkNumber?: (address: string, policy: MerchantPolicy, channel: Channel, now: Date) => Promise<NumberCheck | undefined>;
  /** Authenticator factors (channels `totp` and `ocra-app`); without content keys there are none. */
  factors?: Pick<FactorService, 'useCode' | 'verifiedOf' | 'responseTo' | 'ocraSuiteOf' | 'isVerified'>;
  /**
   * Silent verification: the states of devices away at the operator, its Number Verification
   * API, and how long a return waits for it; absent: not configured (`SILENT_UNAVAILABLE`).
   */
  silent?: {
    states: SilentStates;
    network: Pick<CamaraNumberVerification, 'authorizeUrl' | 'verified'>;
    budgetMs: number;
    observe?: (outcome: 'ok' | 'timeout' | 'error', seconds: number) => void;
  };
  /** The longest an address claim may live (`exp - iat`). */
  claimMaxLifetimeSeconds: number;
  /** How long after an address change no transaction is signed with it (0: no cool-down). */
  addressCooldownMs?: number;
  /** What a transaction start within that cool-down meets, for merchants without their own action. @defaultValue refuse */
  addressChangeAction?: AddressChangeAction;
  /** After an operator's change, no transaction until a code sent to the new number was typed back. */
  operatorChangeProof?: boolean;
  /** Counts sends per address; answers whether one more is allowed. */
  sendLimit: (address: string, now: Date) => Promise<RateDecision>;
  clock: () => Date;
  codeKeys: KeyEntry[];
  macKeys: KeyEntry[];
  suite: OcraSuite;
  ttlSeconds: number;
  /** Observes a verification reaching a final status (metrics). */
  onFinished?: (v: VerificationRecord, status: FinalState) => void;
  /** The country whose mobile numbers decoys show (where most subscribers are). */
  decoyCountry: CountryCode;
  maxAttempts: number;
  /** Codes one verification may send, and the pause between two. */
  maxSends: number;
  resendCooldownSeconds: number;
  /**
   * When the embedded default's in-memory TTL store started, empty: a code pending from before
   * was lost with the process, not expired. Absent on Redis, which keeps codes across restarts.
   */
  storeStartedAt?: Date;
}
