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

/** Declares the whole topology of Outband: exchanges, work queues and their bindings. */
export async function declareTopology(ch: Channel, names: BusNames, queueType: QueueType): Promise<void> {
  await ch.assertExchange(names.eventsExchange, 'topic', { durable: true });
  await ch.assertExchange(names.deadExchange, 'direct', { durable: true });
  await declareWorkQueue(ch, names, names.dataRpcQueue, queueType);
  await declareWorkQueue(ch, names, names.messageSendQueue, queueType);
  await declareWorkQueue(ch, names, names.messageStatusQueue, queueType);
  await declareWorkQueue(ch, names, names.inboundQueue, queueType);
  await ch.bindQueue(names.messageSendQueue, names.eventsExchange, names.routingKeys.messageSend);
  await ch.bindQueue(names.messageStatusQueue, names.eventsExchange, names.routingKeys.messageStatus);
  await ch.bindQueue(names.inboundQueue, names.eventsExchange, names.routingKeys.messageInbound);
}

/** Removes everything `declareTopology` made (test runs and benchmarks clean up after themselves). */
export async function deleteTopology(ch: Channel, names: BusNames): Promise<void> {
  for (const queue of [names.dataRpcQueue, names.messageSendQueue, names.messageStatusQueue, names.inboundQueue]) {
    const { retry, dead } = sideQueues(queue);
    for (const name of [queue, retry, dead]) {
      await ch.deleteQueue(name);
    }
  }
  await ch.deleteExchange(names.eventsExchange);
  await ch.deleteExchange(names.deadExchange);
}
