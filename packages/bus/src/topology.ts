import type { Channel } from 'amqplib';
import type { BusNames } from '@outband/contracts';

/** Classic queues on a single broker; quorum queues on a cluster. Nothing else changes. */
export type QueueType = 'classic' | 'quorum';

/** Names of the side queues every work queue has. */
export function sideQueues(queue: string) {
  return { retry: `${queue}.retry`, dead: `${queue}.dead` };
}

/**
 * Declares a durable work queue with its delayed-retry queue and its dead-letter queue.
 * A message expiring in `<q>.retry` flows back into `<q>` through the default exchange.
 */
export async function declareWorkQueue(ch: Channel, names: BusNames, queue: string, queueType: QueueType): Promise<void> {
  const { retry, dead } = sideQueues(queue);
  const typeArg = { 'x-queue-type': queueType };
  await ch.assertQueue(queue, {
    durable: true,
    arguments: { ...typeArg, 'x-dead-letter-exchange': names.deadExchange, 'x-dead-letter-routing-key': queue },
  });
  await ch.assertQueue(retry, {
    durable: true,
    arguments: { ...typeArg, 'x-dead-letter-exchange': '', 'x-dead-letter-routing-key': queue },
  });
  await ch.assertQueue(dead, { durable: true, arguments: typeArg });
  await ch.bindQueue(dead, names.deadExchange, queue);
}

/** Outband's work queues, and which routing key of the events exchange feeds each. */
export function topologyOf(names: BusNames): { workQueues: string[]; bindings: Array<{ queue: string; routingKey: string }> } {
  return {
    workQueues: [names.dataRpcQueue, names.messageSendQueue, names.messageStatusQueue, names.inboundQueue],
    bindings: [
      { queue: names.messageSendQueue, routingKey: names.routingKeys.messageSend },
      { queue: names.messageStatusQueue, routingKey: names.routingKeys.messageStatus },
      { queue: names.inboundQueue, routingKey: names.routingKeys.messageInbound },
    ],
  };
}

/** Declares the whole topology of Outband: exchanges, work queues and their bindings. */
export async function declareTopology(ch: Channel, names: BusNames, queueType: QueueType): Promise<void> {
  await ch.assertExchange(names.eventsExchange, 'topic', { durable: true });
  await ch.assertExchange(names.deadExchange, 'direct', { durable: true });
  const { workQueues, bindings } = topologyOf(names);
  for (const queue of workQueues) {
    await declareWorkQueue(ch, names, queue, queueType);
  }
  for (const b of bindings) {
    await ch.bindQueue(b.queue, names.eventsExchange, b.routingKey);
  }
}

/** Removes everything `declareTopology` made (test runs and benchmarks clean up after themselves). */
export async function deleteTopology(ch: Channel, names: BusNames): Promise<void> {
  for (const queue of topologyOf(names).workQueues) {
    const { retry, dead } = sideQueues(queue);
    for (const name of [queue, retry, dead]) {
      await ch.deleteQueue(name);
    }
  }
  await ch.deleteExchange(names.eventsExchange);
  await ch.deleteExchange(names.deadExchange);
}
