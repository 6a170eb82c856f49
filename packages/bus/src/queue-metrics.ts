import { Gauge, type Registry } from '@outband/observability';
import type { Bus } from './bus';
import { MemoryBus } from './memory-bus';
import { sideQueues } from './topology';

export interface QueueMetricsOptions {
  /** The work queues this service consumes; their retry and dead-letter queues come along. */
  queues: string[];
  /** The deployment's bus prefix, left out of the `queue` label so dashboards fit every one. */
  prefix: string;
  /**
   * RabbitMQ's management API (`http://user:password@host:15672/`), for unacknowledged counts and
   * rates; without it, passive declares give ready messages and consumers.
   */
  managementUrl?: string | undefined;
  /** How long one reading of the broker serves scrapes. @defaultValue 5000 */
  maxAgeMs?: number;
}

interface QueueReading {
  queue: string;
  ready: number;
  consumers: number;
  unacked?: number;
  rates?: { publish: number; deliver: number; ack: number };
}

/**
 * Queue depths, consumers and rates as gauges (`outband_queue_*{queue}`), read from the broker
 * when Prometheus scrapes, at most once every `maxAgeMs`. Each service exposes the queues it owns.
 * On the in-process broker of the embedded default: the same names, read from its memory.
 */
export function registerQueueMetrics(bus: Bus | MemoryBus, registry: Registry, o: QueueMetricsOptions): void {
  const all = o.queues.flatMap((q) => [q, sideQueues(q).retry, sideQueues(q).dead]);
  const label = (q: string) => (q.startsWith(`${o.prefix}.`) ? q.slice(o.prefix.length + 1) : q);
  let last: { at: number; readings: Promise<QueueReading[]> } | undefined;
  const read = (): Promise<QueueReading[]> => {
    if (!last || Date.now() - last.at > (o.maxAgeMs ?? 5000)) {
      const readings = (
        bus instanceof MemoryBus
          ? Promise.resolve(bus.queueReadings(all))
          : o.managementUrl
            ? fromManagement(o.managementUrl, all)
            : queueDepths(bus, all)
      ).catch(() => []);
      last = { at: Date.now(), readings };
    }
    return last.readings;
  };
  const gauge = (name: string, help: string, value: (r: QueueReading) => number | undefined) =>
    new Gauge({
      name,
      help,
      labelNames: ['queue'],
      registers: [registry],
      async collect() {
        this.reset();
        for (const r of await read()) {
          const v = value(r);
          if (v !== undefined) {
            this.set({ queue: label(r.queue) }, v);
          }
        }
      },
    });
  gauge('outband_queue_messages_ready', 'Messages waiting in the queue (a .dead queue: dead letters)', (r) => r.ready);
  gauge('outband_queue_messages_unacked', 'Messages delivered and not yet acknowledged (management API)', (r) => r.unacked);
  gauge('outband_queue_consumers', 'Consumers of the queue', (r) => r.consumers);
  gauge('outband_queue_publish_per_second', 'Messages published to the queue per second (management API)', (r) => r.rates?.publish);
  gauge('outband_queue_deliver_per_second', 'Messages delivered from the queue per second (management API)', (r) => r.rates?.deliver);
  gauge('outband_queue_ack_per_second', 'Messages acknowledged per second (management API)', (r) => r.rates?.ack);
}

/**
 * Ready messages and consumers of each queue, by passive declares (a queue that does not exist
 * is left out: the broker closes the channel, a new one goes on).
 */
async function queueDepths(bus: Bus, queues: readonly string[]): Promise<QueueReading[]> {
  const depths: QueueReading[] = [];
  let ch = await bus.inspectionChannel();
  try {
    for (const queue of queues) {
      try {
        const q = await ch.checkQueue(queue);
        depths.push({ queue, ready: q.messageCount, consumers: q.consumerCount });
      } catch {
        ch = await bus.inspectionChannel();
      }
    }
  } finally {
    await ch.close().catch(() => undefined);
  }
  return depths;
}

interface ManagementQueue {
  messages_ready?: number;
  messages_unacknowledged?: number;
  consumers?: number;
  message_stats?: Record<string, { rate?: number } | number | undefined>;
}

async function fromManagement(baseUrl: string, queues: string[]): Promise<QueueReading[]> {
  const url = new URL(baseUrl);
  const auth = `Basic ${Buffer.from(`${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`).toString('base64')}`;
  url.username = '';
  url.password = '';
  const vhost = encodeURIComponent(url.searchParams.get('vhost') ?? '/');
  const readings: QueueReading[] = [];
  for (const queue of queues) {
    const res = await fetch(new URL(`api/queues/${vhost}/${encodeURIComponent(queue)}`, url.origin + url.pathname.replace(/\/?$/, '/')), {
      headers: { authorization: auth },
      signal: AbortSignal.timeout(3000),
    });
    if (!res.ok) {
      await res.body?.cancel();
      continue;
    }
    const q = (await res.json()) as ManagementQueue;
    const rate = (name: string) => {
      const d = q.message_stats?.[`${name}_details`];
      return typeof d === 'object' ? (d.rate ?? 0) : 0;
    };
    readings.push({
      queue,
      ready: q.messages_ready ?? 0,
      consumers: q.consumers ?? 0,
      unacked: q.messages_unacknowledged ?? 0,
      rates: { publish: rate('publish'), deliver: rate('deliver_get'), ack: rate('ack') },
    });
  }
  return readings;
}
