import type { Logger } from '@outband/observability';
import type { MerchantRepository } from './merchant.repository';

/**
 * At start: merchant HS256 secrets in clear, or sealed under an older key, are sealed with the
 * active one; a row no key opens is reported, not fatal (that key alone is refused).
 */
export async function sealMerchantSecrets(
  merchants: Pick<MerchantRepository, 'sealSecrets'>,
  activeKeyId: string | undefined,
  logger: Logger,
): Promise<void> {
  if (activeKeyId === undefined) {
    logger.warn('no CONTENT_KEYS: merchant HS256 secrets are stored in clear');
  }
  const secrets = await merchants.sealSecrets();
  if (secrets.sealed + secrets.resealed > 0) {
    logger.info(
      { sealed: secrets.sealed, resealed: secrets.resealed, kid: activeKeyId },
      'merchant HS256 secrets sealed with the active key',
    );
  }
  for (const row of secrets.unreadable) {
    logger.error(
      row,
      'merchant HS256 secret no key of CONTENT_KEYS opens (its key left the ring, or the row was altered): its tokens are refused until that key is back or the secret is uploaded again',
    );
  }
}
