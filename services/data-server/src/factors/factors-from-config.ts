import type { Knex } from '@outband/db';
import type { DataServerConfig } from '../config';
import type { AuditLog } from '../audit/audit-log';
import type { MerchantRepository } from '../merchants/merchant.repository';
import { FactorRepository } from './factor.repository';
import { FactorService } from './factor.service';

/** Authenticator factors, their secrets sealed with the content keys; a wrong first code counts like a wrong check. */
export function factorsFromConfig(
  config: DataServerConfig,
  db: Knex,
  audit: Pick<AuditLog, 'append'>,
  merchants: Pick<MerchantRepository, 'policy'>,
): FactorService {
  return new FactorService({
    factors: new FactorRepository(db),
    audit,
    policyOf: (merchantId) => merchants.policy(merchantId),
    keys: config.CONTENT_KEYS,
    ocraSuite: config.OCRA_FACTOR_SUITE,
    clock: () => new Date(),
    maxConfirmAttempts: config.MAX_CHECK_ATTEMPTS,
    window: config.TOTP_WINDOW_STEPS,
  });
}
