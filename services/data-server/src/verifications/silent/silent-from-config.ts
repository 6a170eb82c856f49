import type { RedisClient } from '@outband/redis-limits';
import type { DataServerConfig } from '../../config';
import type { DataServerMetrics } from '../../platform/metrics';
import { CamaraNumberVerification } from '../../number-trust/camara-number-verification';
import type { VerificationServiceDeps } from '../verification.deps';
import { SilentStates } from './silent-states';

/** Silent verification as configured: it needs the operator's network APIs and a callback URL; else off. */
export function silentFromConfig(config: DataServerConfig, redis: RedisClient, m: DataServerMetrics): VerificationServiceDeps['silent'] {
  const { NETWORK_API_URL: api, NETWORK_CLIENT_ID: clientId, NETWORK_CLIENT_SECRET: clientSecret } = config;
  if (!api || !clientId || !clientSecret || !config.SILENT_REDIRECT_URL) {
    return undefined;
  }
  const apiRoot = api.replace(/\/+$/, '');
  return {
    states: new SilentStates(redis, config.REDIS_PREFIX),
    network: new CamaraNumberVerification({
      authorizeUrl: config.NETWORK_AUTHORIZE_URL ?? `${apiRoot}/authorize`,
      tokenUrl: config.NETWORK_TOKEN_URL ?? `${apiRoot}/oauth2/token`,
      apiRoot,
      clientId,
      clientSecret,
      redirectUri: config.SILENT_REDIRECT_URL,
    }),
    budgetMs: config.SILENT_BUDGET_MS,
    observe: (outcome, seconds) => m.networkCalls.observe({ api: 'number-verification', outcome }, seconds),
  };
}
