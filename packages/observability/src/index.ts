export { createLogger } from './logger';
export type { Logger, LoggerOptions } from './logger';
export { createMetricsRegistry } from './metrics';
export { stopOnSignals } from './shutdown';
export { readJson, sendJson } from './http-json';
export { closeServer, handleOpsRequest, readiness, startOpsServer } from './health';
export type { ReadinessCheck, ReadinessChecks } from './health';
export { Counter, Gauge, Histogram, Registry } from 'prom-client';
