import { randomBytes } from 'node:crypto';
import * as amqp from 'amqplib';
import { z } from 'zod';
import { Bus, deleteTopology, registerQueueMetrics } from '@outband/bus';
import { busNames } from '@outband/contracts';
import { createLogger, createMetricsRegistry } from '@outband/observability';
import { eventually } from '../support/http';
import { statusWith } from '../support/bus-bodies';
import { servers } from '../support/suite';

// Queue depth as ops see it on a dashboard: it rises while nobody consumes and falls when a
// consumer comes back. Read from the real broker, as Prometheus would scrape it.
const prefix = `outband-qm-${randomBytes(4).toString('hex')}`;
const names = busNames(prefix);
const logger = createLogger({ service: 'queue-metrics-test', level: 'silent' });
const schema = z.object({ type: z.literal('message.status'), version: z.literal(1), n: z.number() });
let bus: Bus;
const registry = createMetricsRegistry('test');

/** The value of one series in the registry's Prometheus text. */
async function sample(metric: string, queue: string): Promise<number | undefined> {
  const text = await registry.metrics();
  const line = text.split('\n').find((l) => l.startsWith(`${metric}{`) && l.includes(`queue="${queue}"`));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

beforeAll(async () => {
  bus = await Bus.connect({ url: servers.amqp, names, logger });
  registerQueueMetrics(bus, registry, { queues: [names.messageStatusQueue], prefix, maxAgeMs: 0 });
});
afterAll(async () => {
  await bus?.close();
  const conn = await amqp.connect(servers.amqp);
  await deleteTopology(await conn.createChannel(), names);
  await conn.close();
});

describe('queue metrics', () => {
  it('rises while the queue has no consumer and falls when one resumes', async () => {
    expect(await sample('outband_queue_messages_ready', 'data.message-status')).toBe(0);
    expect(await sample('outband_queue_messages_ready', 'data.message-status.dead')).toBe(0);
    expect(await sample('outband_queue_consumers', 'data.message-status')).toBe(0);
    for (let n = 0; n < 25; n += 1) {
      await bus.publish(names.eventsExchange, names.routingKeys.messageStatus, statusWith(n));
    }
    await eventually(async () => ((await sample('outband_queue_messages_ready', 'data.message-status')) === 25 ? true : undefined));
    const seen: number[] = [];
    await bus.consume(names.messageStatusQueue, schema, async (m) => {
      seen.push(m.n);
      return Promise.resolve();
    });
    await eventually(async () => ((await sample('outband_queue_messages_ready', 'data.message-status')) === 0 ? true : undefined));
    expect(await sample('outband_queue_consumers', 'data.message-status')).toBe(1);
    expect(seen).toHaveLength(25);
    // Without the management API there are no rates: the series are absent, not zero.
    expect(await sample('outband_queue_publish_per_second', 'data.message-status')).toBeUndefined();
  });

  it('parses as Prometheus text with bounded labels', async () => {
    const text = await registry.metrics();
    const queues = new Set([...text.matchAll(/queue="([^"]+)"/g)].map((m) => m[1]));
    expect([...queues].sort()).toEqual(['data.message-status', 'data.message-status.dead', 'data.message-status.retry']);
  });
});
