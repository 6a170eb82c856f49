export { Bus } from './bus';
export { MemoryBroker, MemoryBus } from './memory-bus';
export type { Handler, MessageBus } from './message-bus';
export type { BusLogger, BusOptions, ConsumeOptions, PublishOptions } from './bus-options';
export type { DeliveryContext } from './delivery';
export { deleteTopology, sideQueues } from './topology';
export type { QueueType } from './topology';
export { registerQueueMetrics } from './queue-metrics';
export type { QueueMetricsOptions } from './queue-metrics';
