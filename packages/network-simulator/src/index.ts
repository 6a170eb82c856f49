export { startNetworkSimulator } from './network-simulator';
export type { NetworkBehaviour, NetworkSimulator, NetworkSimulatorOptions } from './network-simulator';
export type { Line, Network } from './lines';
