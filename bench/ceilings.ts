import * as amqp from 'amqplib';
import { Redis } from 'ioredis';

/** Redis round trips per second: `concurrency` clients-in-flight of SET then GET on one connection. */
export async function redisRoundTrips(url: string, durationMs: number, concurrency = 32): Promise<number> {
  const redis = new Redis(url);
  let done = 0;
  const end = performance.now() + durationMs;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, w) => {
      for (let i = 0; performance.now() < end; i++) {
        await redis.set(`outband-bench:ceiling:${w}`, String(i), 'EX', 60);
        await redis.get(`outband-bench:ceiling:${w}`);
        done += 2;
      }
    }),
  );
  const perSecond = done / ((performance.now() - started) / 1000);
  await redis.del(...Array.from({ length: concurrency }, (_, w) => `outband-bench:ceiling:${w}`));
  redis.disconnect();
  return perSecond;
}

/**
 * RabbitMQ: persistent messages published with confirms (`inFlight` unconfirmed at most) into a
 * durable queue and consumed with acks, as our bus does; messages per second through both ends.
 */
export async function rabbitRate(url: string, count: number, inFlight = 64): Promise<number> {
  const conn = await amqp.connect(url);
  const pub = await conn.createConfirmChannel();
  const sub = await conn.createChannel();
  const queue = `outband-bench-ceiling-${process.pid}`;
  await pub.assertQueue(queue, { durable: true });
  await sub.prefetch(64);
  let consumed = 0;
  const allConsumed = new Promise<void>((resolve) => {
    void sub.consume(queue, (m) => {
      if (m) {
        sub.ack(m);
        consumed += 1;
        if (consumed === count) {
          resolve();
        }
      }
    });
  });
  const started = performance.now();
  const body = Buffer.from(JSON.stringify({ type: 'bench', padding: 'x'.repeat(400) }));
  let sent = 0;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (sent < count) {
        sent += 1;
        await new Promise<void>((resolve, reject) =>
          pub.sendToQueue(queue, body, { persistent: true, contentType: 'application/json' }, (err: unknown) =>
            err ? reject(err instanceof Error ? err : new Error('publish not confirmed')) : resolve(),
          ),
        );
      }
    }),
  );
  await allConsumed;
  const perSecond = count / ((performance.now() - started) / 1000);
  await pub.deleteQueue(queue);
  await conn.close();
  return perSecond;
}
