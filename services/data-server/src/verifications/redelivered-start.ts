import type { CertificateRepository } from '../delivery/certificate.repository';
import type { VerificationRecord, VerificationRepository } from './verification.repository';
import { isFactorChannel } from './factor/factor-channels';

/**
 * What an earlier delivery of the same bus request started, if its code went out (or it was a
 * decoy or a withheld code, which send nothing). One cut short before is left to the new start, which cancels it;
 * so is a reverse-channel or silent one, whose code or link was only ever in the answer that was lost.
 */
export async function startedBy(
  d: { verifications: Pick<VerificationRepository, 'byRequest'>; certificates: Pick<CertificateRepository, 'latestFor'> },
  merchantId: string,
  requestId: string,
): Promise<VerificationRecord | undefined> {
  const v = await d.verifications.byRequest(merchantId, requestId);
  if (!v || v.channel === 'reverse-sms' || v.channel === 'silent') {
    return undefined;
  }
  if (isFactorChannel(v.channel)) {
    // Its answer holds nothing the lost one did not: the same verification.
    return v;
  }
  return v.decoyOf || (await d.certificates.latestFor(v.id)) ? v : undefined;
}
