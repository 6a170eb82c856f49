import type { RateLimiter, RedisClient } from '@outband/redis-limits';
import type { DataServerConfig } from '../config';
import type { DataServerMetrics } from '../platform/metrics';
import type { OutboundMessages } from '../delivery/outbound-messages';
import type { SendGuard } from '../abuse/send-guard';
import type { MerchantRepository } from '../merchants/merchant.repository';
import type { SessionService } from '../sessions/session.service';
import { merchantLimit } from '../abuse/merchant-limit';
import { parseOcraSuite } from '@outband/otp';
import { reverseNumberFor } from './reverse/reverse-number';
import type { VerificationServiceDeps } from './verification.deps';
import type { IssueRecords } from './start/issue-records';
import { VerificationService } from './verification.service';
import { numberChecksFromConfig } from '../number-trust/number-checks-from-config';
import { silentFromConfig } from './silent/silent-from-config';
import type { FactorService } from '../factors/factor.service';

/** The stores a verification service works on; the rest comes from the configuration. */
export type VerificationStores = Pick<
  VerificationServiceDeps,
  'subscribers' | 'verifications' | 'certificates' | 'pending' | 'reverseCodes' | 'audit' | 'failures' | 'storeStartedAt'
>;

/** The verification service with the configured keys, code suite, lifetimes and limits. */
export function verificationServiceFromConfig(
  config: DataServerConfig,
  stores: VerificationStores,
  ended: VerificationServiceDeps['ended'],
  parts: {
    outbound: OutboundMessages;
    issues: Pick<IssueRecords, 'record'>;
    guard: SendGuard;
    limiter: RateLimiter;
    merchants: Pick<MerchantRepository, 'policy'>;
    sessions: Pick<SessionService, 'requireOpen'>;
    m: DataServerMetrics;
    redis: RedisClient;
    factors?: Pick<FactorService, 'useCode' | 'verifiedOf' | 'responseTo' | 'ocraSuiteOf' | 'isVerified'> | undefined;
  },
): VerificationService {
  const { outbound, issues, guard, limiter, merchants, sessions, m, redis, factors } = parts;
  const silent = silentFromConfig(config, redis, m);
  const numberChecks = numberChecksFromConfig(config, m);
  return new VerificationService({
    ...stores,
    ended,
    reverseNumberFor: reverseNumberFor(config.REVERSE_NUMBERS),
    requireSession: (merchantId, sessionId, holder) => sessions.requireOpen(merchantId, sessionId, holder),
    sealCode: (message, code, bound, correlationId) => outbound.sealCode(message, code, bound, correlationId),
    record: (r) => issues.record(r),
    sendNotice: (subscriber, notice, context) => outbound.sendNotice(subscriber, notice, context),
    blocksBeforePermanent: config.SUBSCRIBER_BLOCKS_BEFORE_PERMANENT,
    admitSend: (merchantId, address, allowedCountries) => guard.admit(merchantId, address, allowedCountries),
    countSend: (merchantId, address, now) => guard.count(merchantId, address, now),
    merchantLimit: merchantLimit(limiter, { perSecond: config.MERCHANT_LIMIT_PER_SECOND, perDay: config.MERCHANT_LIMIT_PER_DAY }),
    policyOf: (merchantId) => merchants.policy(merchantId),
    addressCooldownMs: config.ADDRESS_CHANGE_COOLDOWN_HOURS * 3600 * 1000,
    addressChangeAction: config.ADDRESS_CHANGE_ACTION,
    operatorChangeProof: config.ADDRESS_CHANGE_PROOF === 'login',
    claimMaxLifetimeSeconds: config.ADDRESS_CLAIM_MAX_LIFETIME_SECONDS,
    ...(silent ? { silent } : {}),
    ...(factors ? { factors } : {}),
    ...(numberChecks ? { checkNumber: (address, policy, channel, now) => numberChecks.check(address, policy, channel, now) } : {}),
    sendLimit: (address, now) => limiter.hit('sends', address, config.SEND_LIMIT_PER_ADDRESS, config.SEND_LIMIT_WINDOW_SECONDS * 1000, now),
    clock: () => new Date(),
    codeKeys: config.CODE_KEYS,
    macKeys: config.CODE_MAC_KEYS,
    suite: parseOcraSuite(config.CODE_SUITE),
    ttlSeconds: config.CODE_TTL_SECONDS,
    decoyCountry: config.DECOY_COUNTRY,
    onFinished: (v, status) => m.finished.inc({ purpose: v.purpose, channel: v.channel ?? 'sms', status }),
    maxAttempts: config.MAX_CHECK_ATTEMPTS,
    maxSends: config.MAX_SENDS_PER_VERIFICATION,
    resendCooldownSeconds: config.RESEND_COOLDOWN_SECONDS,
  });
}
