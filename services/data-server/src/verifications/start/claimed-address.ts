import { AppError } from '@outband/errors';
import type { VerificationView } from '@outband/contracts';
import { verifiedAddressClaim } from '../../number-trust/address-claim';
import { boundDataFor } from '../codes/bound-data';
import type { VerificationServiceDeps } from '../verification.deps';
import { toView } from '../verification-view';
import { issueCodeToNumber } from './code-to-number';
import type { StartInput } from './start-input';

/**
 * A start whose number comes in a claim signed by a key the operator trusts for the merchant
 * (patent: the address given in a certificate, no database needed): the code goes to that number,
 * after the same guards, limits and network checks as a subscriber's. No subscriber record is read
 * or written.
 */
export async function startWithClaim(
  d: VerificationServiceDeps,
  req: StartInput & { addressClaim: string },
  request: { correlationId?: string | undefined; requestId?: string | undefined },
): Promise<VerificationView> {
  if ((req.channel ?? 'sms') !== 'sms' || req.identifierKind === 'address') {
    throw new AppError(
      'invalid_input',
      'CHANNEL_UNSUPPORTED',
      'an address claim takes channel "sms", with an identifier that names the person',
    );
  }
  if (req.sessionId) {
    // A session belongs to a subscriber record, which a claimed number does not have.
    throw new AppError('invalid_input', 'INVALID_INPUT', "an address claim's code does not live in a session");
  }
  const policy = await d.policyOf(req.merchantId);
  const claim = verifiedAddressClaim(req.addressClaim, req.merchantId, policy.claimKeys, d.clock(), d.claimMaxLifetimeSeconds);
  if (claim.subject !== null && claim.subject !== req.identifier) {
    // The signer says whose number it is: a claim for one person does not send another's code.
    throw new AppError('invalid_input', 'ADDRESS_CLAIM_INVALID', "the claim's sub names another person than the identifier");
  }
  const record = await issueCodeToNumber(d, {
    merchantId: req.merchantId,
    identifier: req.identifier,
    address: claim.address,
    purpose: req.purpose,
    bound: boundDataFor(req.purpose, { transaction: req.transaction, message: req.message }),
    locale: req.locale,
    correlationId: request.correlationId,
    requestId: request.requestId,
    issuedAs: `${req.purpose}:claim`,
    checkNumber: true,
    merchantTexts: true,
    policy,
    extra: { codeLength: req.codeLength, senderName: req.senderName, serviceSid: req.serviceSid },
  });
  return toView(record, record.createdAt, { state: 'queued', updatedAt: record.createdAt, error: null });
}
