import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as amqp from 'amqplib';
import { busNames } from '@outband/contracts';
import { burst, deadLetters, settle, type ScenarioResult } from './burst';
import { startHarness, type Harness } from './harness';
import { table } from './table';

// What happens to a verification, an SMS, a payment or a ledger entry when something dies
// halfway: each scenario breaks one thing under a burst, then counts what became of every
// accepted request. Private RabbitMQ, Redis and MariaDB; the shared servers are never touched.
const size = {
  verifications: Number(process.env.FAULT_VERIFICATIONS ?? 1000),
  payments: Number(process.env.FAULT_PAYMENTS ?? 100),
  concurrency: 24,
};
const logDir = mkdtempSync(join(tmpdir(), 'outband-faults-'));
const results: ScenarioResult[] = [];
const columns: Array<keyof ScenarioResult> = [
  'scenario',
  'accepted',
  'finished',
  'lost',
  'duplicates',
  'paymentsAccepted',
  'paymentsCaptured',
  'ledgerDuplicates',
  'deadLetters',
  'recoverSeconds',
  'notCaptured',
];
jest.setTimeout(300_000);
let h: Harness;
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

beforeAll(async () => {
  h = await startHarness({ subscribers: 200, logDir });
}, 180_000);
afterAll(async () => {
  console.log(`fault scenarios (service logs in ${logDir})\n${table(results, columns)}`);
  await h?.close();
}, 120_000);

async function scenario(name: string, fault: () => Promise<void>): Promise<ScenarioResult> {
  const accepted = await burst(h, size, fault);
  const result = { ...(await settle(h, name, accepted)), deadLetters: await deadLetters(h) };
  results.push(result);
  return result;
}

function expectIntact(r: ScenarioResult, o: { duplicatesUpTo?: number; deadLetters?: number } = {}): void {
  expect({ scenario: r.scenario, lost: r.lost, ledgerDuplicates: r.ledgerDuplicates, deadLetters: r.deadLetters }).toEqual({
    scenario: r.scenario,
    lost: 0,
    ledgerDuplicates: 0,
    deadLetters: o.deadLetters ?? 0,
  });
  expect(r.duplicates).toBeLessThanOrEqual(o.duplicatesUpTo ?? 0);
  expect(r.accepted).toBeGreaterThan(0);
  expect(r.paymentsCaptured).toBe(r.paymentsAccepted);
}

describe('faults under a burst', () => {
  it('without a fault: the baseline', async () => {
    expectIntact(await scenario('no fault', () => Promise.resolve()));
  });

  it('RabbitMQ restarted mid-burst', async () => {
    expectIntact(
      await scenario('RabbitMQ restarted', async () => {
        await h.rabbitmq.stop();
        await h.rabbitmq.start();
      }),
    );
  });

  it('Redis restarted mid-burst (append-only file: pending codes survive)', async () => {
    expectIntact(
      await scenario('Redis restarted', async () => {
        await h.redis.stop();
        await h.redis.start();
      }),
    );
  });

  it('MariaDB restarted mid-burst', async () => {
    expectIntact(
      await scenario('MariaDB restarted', async () => {
        await h.mariadb.stop();
        await h.mariadb.start();
      }),
    );
  });

  it('the SMSC drops every link, refuses binds for 10 s, then recovers', async () => {
    expectIntact(
      await scenario('SMSC links dropped, binds refused 10 s', async () => {
        h.sim.configure({ refuseBindsUntil: Date.now() + 10_000 });
        h.sim.dropLinks();
        await pause(10_000);
      }),
      // A link cut after the SMSC took a submit_sm but before its answer came back leaves the
      // message server no way to know it went out (SMPP has no idempotent submit), so it sends
      // again: at most the one bind's window of 10.
      { duplicatesUpTo: 10 },
    );
  });

  for (const service of ['information', 'data', 'message'] as const) {
    it(`kill -9 of the ${service} server, then a restart`, async () => {
      const r = await scenario(`kill -9 ${service} server`, async () => {
        await h.stop(service, 'SIGKILL');
        await h.start(service);
      });
      // Only a message server killed between submit_sm and its answer can send an SMS twice:
      // at most one window per bind (reported in the table).
      expectIntact(r, { duplicatesUpTo: service === 'message' ? 50 : 0 });
    });
  }

  it('a poison message on every queue ends in its dead-letter queue, and nothing else does', async () => {
    const names = busNames(h.busPrefix);
    const queues = [names.dataRpcQueue, names.messageSendQueue, names.messageStatusQueue, names.inboundQueue];
    const r = await scenario('poison message on every queue', async () => {
      const conn = await amqp.connect(h.rabbitmq.url);
      const ch = await conn.createConfirmChannel();
      for (const q of queues) {
        ch.sendToQueue(q, Buffer.from('{"type":"poison","version":1}'), {
          persistent: true,
          messageId: `poison-${q}`,
        });
      }
      await ch.waitForConfirms();
      await conn.close();
      await pause(2000);
    });
    expectIntact(r, { deadLetters: queues.length });
  });
});
