export { Bus } from './bus';
export type { BusLogger, BusOptions, ConsumeOptions, PublishOptions } from './bus-options';
export type { DeliveryContext } from './delivery';
export { deleteTopology, sideQueues } from './topology';
export type { QueueType } from './topology';
export { registerQueueMetrics } from './queue-metrics';
export type { QueueMetricsOptions } from './queue-metrics';
