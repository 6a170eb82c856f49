import { Counter, Histogram, type Registry } from '@outband/observability';

/** The information server's metrics: bounded labels only (route patterns, never a raw path or an id). */
export function informationServerMetrics(registers: Registry) {
  const r = [registers];
  return {
    requestSeconds: new Histogram({
      name: 'outband_http_request_duration_seconds',
      help: 'HTTP requests by route and status',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: r,
    }),
    limitRefusals: new Counter({
      name: 'outband_request_limit_refusals_total',
      help: 'API requests refused by a request limit (429), by limit (ip, merchant)',
      labelNames: ['limit'],
      registers: r,
    }),
  };
}
