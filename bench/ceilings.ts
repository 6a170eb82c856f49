import * as amqp from 'amqplib';
import { Redis } from 'ioredis';
import { openDatabase } from '@outband/db';
import { serverCpu } from './processes';

/** What a server allows at one setting of the load put on it. */
export interface CeilingPoint {
  /** Messages, commands or rows per second. */
  perSecond: number;
  /** The server's own CPU per message, command or row at that rate, ms (from `/proc`). */
  serverCpuMs: number;
}

/** CPU seconds the named shared server has used so far. */
const cpuOf = (server: 'mariadbd' | 'beam.smp' | 'redis-server') => serverCpu()[server] ?? NaN;

/**
 * RabbitMQ: persistent messages published with confirms (`inFlight` unconfirmed at most) into a
 * durable queue for `durationMs`, and consumed with acks, as our bus does; messages per second
 * through both ends. A persistent confirm waits until the broker wrote the message or saw it
 * consumed, so with too few in flight this measures that wait, not the broker: measure a curve
 * (`rabbitCurve`).
 */
export async function rabbitRate(url: string, durationMs: number, inFlight: number): Promise<CeilingPoint & { inFlight: number }> {
  // noDelay as the bus has it: with Nagle, each small frame waits for a delayed ACK.
  const conn = await amqp.connect(url, { noDelay: true });
  const queue = `outband-bench-ceiling-${process.pid}-${inFlight}`;
  try {
    const pub = await conn.createConfirmChannel();
    const sub = await conn.createChannel();
    await pub.assertQueue(queue, { durable: true });
    await sub.prefetch(64);
    let published = 0;
    let consumed = 0;
    let publishing = true;
    let allConsumed: (() => void) | undefined;
    const drained = new Promise<void>((resolve) => (allConsumed = resolve));
    await sub.consume(queue, (m) => {
      if (m) {
        sub.ack(m);
        consumed += 1;
        if (!publishing && consumed === published) {
          allConsumed?.();
        }
      }
    });
    const body = Buffer.from(JSON.stringify({ type: 'bench', padding: 'x'.repeat(400) }));
    const confirmed = () =>
      new Promise<void>((resolve, reject) =>
        pub.sendToQueue(queue, body, { persistent: true, contentType: 'application/json' }, (err: unknown) =>
          err ? reject(err instanceof Error ? err : new Error('publish not confirmed')) : resolve(),
        ),
      );
    const started = performance.now();
    const cpu0 = cpuOf('beam.smp');
    const end = started + durationMs;
    await Promise.all(
      Array.from({ length: inFlight }, async () => {
        while (performance.now() < end) {
          await confirmed();
          published += 1;
        }
      }),
    );
    publishing = false;
    if (consumed < published) {
      await drained;
    }
    const serverCpuMs = ((cpuOf('beam.smp') - cpu0) * 1000) / Math.max(1, consumed);
    return { inFlight, perSecond: consumed / ((performance.now() - started) / 1000), serverCpuMs };
  } finally {
    const ch = await conn.createChannel();
    await ch.deleteQueue(queue);
    await conn.close();
  }
}

/** `rabbitRate` at each number of unconfirmed messages: the ceiling is where the rate stops growing. */
export async function rabbitCurve(
  url: string,
  durationMs: number,
  levels: readonly number[],
): Promise<Array<CeilingPoint & { inFlight: number }>> {
  const out: Array<CeilingPoint & { inFlight: number }> = [];
  for (const inFlight of levels) {
    out.push(await rabbitRate(url, durationMs, inFlight));
  }
  return out;
}

/**
 * Redis commands per second (SET with expiry and GET, half each) on `clients` connections, for
 * `durationMs`. Each connection sends `batch` commands per round trip and awaits them before the
 * next: 1 is one command awaited at a time, more is a pipeline, as the services' autopipelining
 * sends the commands of one event-loop turn.
 */
export async function redisRate(url: string, durationMs: number, o: { clients: number; batch: number }): Promise<CeilingPoint & typeof o> {
  const clients = await Promise.all(
    Array.from({ length: o.clients }, async () => {
      const redis = new Redis(url, { lazyConnect: true });
      await redis.connect();
      return redis;
    }),
  );
  const keyOf = (client: number, slot: number) => `outband-bench:ceiling:${process.pid}:${client}:${slot}`;
  const slots = Math.max(1, Math.floor(o.batch / 2));
  let done = 0;
  try {
    const started = performance.now();
    const cpu0 = cpuOf('redis-server');
    const end = started + durationMs;
    await Promise.all(
      clients.map(async (redis, c) => {
        for (let i = 0; performance.now() < end; i++) {
          if (o.batch === 1) {
            await (i % 2 === 0 ? redis.set(keyOf(c, 0), String(i), 'EX', 60) : redis.get(keyOf(c, 0)));
            done += 1;
            continue;
          }
          const pipeline = redis.pipeline();
          for (let k = 0; k < o.batch; k++) {
            const key = keyOf(c, k % slots);
            if (k % 2 === 0) {
              pipeline.set(key, String(i), 'EX', 60);
            } else {
              pipeline.get(key);
            }
          }
          const failed = (await pipeline.exec())?.find(([err]) => err);
          if (failed?.[0]) {
            throw failed[0];
          }
          done += o.batch;
        }
      }),
    );
    const serverCpuMs = ((cpuOf('redis-server') - cpu0) * 1000) / Math.max(1, done);
    return { ...o, perSecond: done / ((performance.now() - started) / 1000), serverCpuMs };
  } finally {
    await Promise.all(clients.map((redis, c) => redis.del(...Array.from({ length: slots }, (_, s) => keyOf(c, s)))));
    clients.forEach((redis) => redis.disconnect());
  }
}

/**
 * MySQL/MariaDB single-row INSERTs, each its own transaction (autocommit), for `durationMs` at
 * each number of connections in `levels`: one connection commits serially, one disk flush per
 * row; many let the server flush their commits together (group commit). Rows per second, in a
 * scratch database dropped afterwards.
 */
export async function mysqlInsertRates(
  url: string,
  durationMs: number,
  levels: readonly number[],
): Promise<Array<CeilingPoint & { connections: number }>> {
  const name = `outband_bench_ceiling_${process.pid}`;
  const target = new URL(url);
  target.pathname = `/${name}`;
  const admin = openDatabase(url, { min: 0, max: 1 });
  const out: Array<CeilingPoint & { connections: number }> = [];
  try {
    await admin.raw(`CREATE DATABASE \`${name}\``);
    await admin.raw(
      `CREATE TABLE \`${name}\`.rows_in (id BIGINT AUTO_INCREMENT PRIMARY KEY, worker INT NOT NULL, body VARCHAR(255) NOT NULL) ENGINE=InnoDB`,
    );
    const body = 'x'.repeat(200);
    for (const connections of levels) {
      const db = openDatabase(target.toString(), { min: 0, max: connections });
      try {
        // Opens every connection before the clock starts.
        await Promise.all(Array.from({ length: connections }, () => db.raw('SELECT SLEEP(0.05)')));
        let rows = 0;
        const started = performance.now();
        const cpu0 = cpuOf('mariadbd');
        const end = started + durationMs;
        await Promise.all(
          Array.from({ length: connections }, async (_, worker) => {
            while (performance.now() < end) {
              await db('rows_in').insert({ worker, body });
              rows += 1;
            }
          }),
        );
        const serverCpuMs = ((cpuOf('mariadbd') - cpu0) * 1000) / Math.max(1, rows);
        out.push({ connections, perSecond: rows / ((performance.now() - started) / 1000), serverCpuMs });
      } finally {
        await db.destroy();
      }
    }
    return out;
  } finally {
    await admin.raw(`DROP DATABASE IF EXISTS \`${name}\``);
    await admin.destroy();
  }
}
