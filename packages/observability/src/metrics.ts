import { collectDefaultMetrics, Registry } from 'prom-client';

/** A registry per service, with process metrics and the service name on every series. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry, prefix: 'outband_' });
  return registry;
}
