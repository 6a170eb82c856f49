import type { DataServerConfig } from '../config';
import type { DataServerMetrics } from '../platform/metrics';
import { camaraSimSwapped } from './camara-sim-swap';
import { ClientCredentials } from './client-credentials';
import { mnpPortedAt } from './mnp-lookup';
import { NumberChecks } from './number-check';
import type { NetworkSignals } from './network-signals';

/** The number checks the configured network APIs allow; undefined when none is configured. */
export function numberChecksFromConfig(config: DataServerConfig, m: DataServerMetrics): NumberChecks | undefined {
  const signals: NetworkSignals = {};
  if (config.NETWORK_API_URL) {
    if (!config.NETWORK_CLIENT_ID || !config.NETWORK_CLIENT_SECRET) {
      throw new Error('NETWORK_API_URL needs NETWORK_CLIENT_ID and NETWORK_CLIENT_SECRET (the OAuth client Outband is at the operator)');
    }
    const apiRoot = config.NETWORK_API_URL.replace(/\/+$/, '');
    const tokens = new ClientCredentials({
      tokenUrl: config.NETWORK_TOKEN_URL ?? `${apiRoot}/oauth2/token`,
      clientId: config.NETWORK_CLIENT_ID,
      clientSecret: config.NETWORK_CLIENT_SECRET,
      scope: 'sim-swap:check',
    });
    signals.simSwapped = (phoneNumber, maxAgeHours, signal) => camaraSimSwapped({ apiRoot, tokens }, phoneNumber, maxAgeHours, signal);
  }
  if (config.MNP_LOOKUP_URL) {
    if (!config.MNP_API_KEY) {
      throw new Error('MNP_LOOKUP_URL needs MNP_API_KEY');
    }
    const lookup = { url: config.MNP_LOOKUP_URL, apiKey: config.MNP_API_KEY };
    signals.portedAt = (phoneNumber, signal) => mnpPortedAt(lookup, phoneNumber, signal);
  }
  if (!signals.simSwapped && !signals.portedAt) {
    return undefined;
  }
  return new NumberChecks(signals, {
    budgetMs: config.NETWORK_CHECK_BUDGET_MS,
    action: config.SIM_SWAP_ACTION,
    hours: config.SIM_SWAP_HOURS,
    breakerThreshold: config.NETWORK_BREAKER_THRESHOLD,
    breakerOpenMs: config.NETWORK_BREAKER_OPEN_MS,
    observe: (api, outcome, seconds) => m.networkCalls.observe({ api, outcome }, seconds),
    decided: (signal, action) => m.numberChecks.inc({ signal, action }),
  });
}
