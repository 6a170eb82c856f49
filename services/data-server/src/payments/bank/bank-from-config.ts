import type { Logger } from '@outband/observability';
import type { DataServerConfig } from '../../config';
import type { DataServerMetrics } from '../../platform/metrics';
import type { BankAuthorizer } from './bank-authorizer';
import { HttpBankAuthorizer } from './http-bank-authorizer';

/** The bank named by `BANK_URL`; none configured: undefined, and payments are refused. */
export function bankFromConfig(config: DataServerConfig, m: DataServerMetrics, logger: Logger): BankAuthorizer | undefined {
  if (!config.BANK_URL) {
    return undefined;
  }
  return new HttpBankAuthorizer({
    url: config.BANK_URL.replace(/\/+$/, ''),
    timeoutMs: config.BANK_TIMEOUT_MS,
    attempts: config.BANK_ATTEMPTS,
    breakerThreshold: config.BANK_BREAKER_THRESHOLD,
    breakerOpenMs: config.BANK_BREAKER_OPEN_MS,
    logger,
    observe: (operation, outcome, seconds) => m.bankCalls.observe({ operation, outcome }, seconds),
  });
}
