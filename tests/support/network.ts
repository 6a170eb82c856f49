import { createLogger } from '@outband/observability';
import { startNetworkSimulator, type NetworkSimulator, type NetworkSimulatorOptions } from '@outband/network-simulator';

/** The OAuth client the tests' operator network knows Outband by. */
const client = { id: 'outband', secret: 'net-secret' };

/** The operator's network APIs, simulated over HTTP on a free port. */
export function startTestNetwork(o: Partial<NetworkSimulatorOptions> = {}): Promise<NetworkSimulator> {
  return startNetworkSimulator({
    port: 0,
    client,
    mnpApiKey: 'mnp-key',
    logger: createLogger({ service: 'network-simulator', level: 'silent' }),
    ...o,
  });
}

/** What the data server needs to call that network. */
export function networkEnv(network: NetworkSimulator): Record<string, string> {
  return { NETWORK_API_URL: network.url, NETWORK_CLIENT_ID: client.id, NETWORK_CLIENT_SECRET: client.secret };
}
