import type { ChannelModel } from 'amqplib';
import type { BusNames } from '@outband/contracts';
import { queueTypeMismatch } from './queue-type-mismatch';
import { declareTopology, sideQueues, topologyOf, type QueueType } from './topology';

/** RabbitMQ's reply when the user lacks a permission (here: configure). */
function accessRefused(e: unknown): boolean {
  return typeof e === 'object' && e !== null && (e as { code?: unknown }).code === 403;
}

/**
 * Declares Outband's topology, or, when the broker refuses (a per-service user with no configure
 * permission: the topology is the data server's), checks that it exists. A missing part fails
 * the connection, which `Bus.connect` retries until the data server has declared it; a queue of
 * the other type fails it for good (`CONFIG_INVALID`, not retryable).
 */
export async function ensureTopology(conn: ChannelModel, names: BusNames, queueType: QueueType): Promise<'declared' | 'checked'> {
  // A refusal closes the channel: each attempt gets its own.
  const declare = await conn.createChannel();
  declare.on('error', () => undefined);
  try {
    await declareTopology(declare, names, queueType);
    await declare.close();
    return 'declared';
  } catch (e) {
    if (!accessRefused(e)) {
      throw queueTypeMismatch(e, queueType) ?? e;
    }
  }
  const check = await conn.createChannel();
  check.on('error', () => undefined);
  try {
    // Passive declares need no permission at all.
    await check.checkExchange(names.eventsExchange);
    await check.checkExchange(names.deadExchange);
    for (const queue of topologyOf(names).workQueues) {
      const { retry, dead } = sideQueues(queue);
      for (const name of [queue, retry, dead]) {
        await check.checkQueue(name);
      }
    }
  } finally {
    await check.close().catch(() => undefined);
  }
  return 'checked';
}
