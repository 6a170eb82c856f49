import { Writable } from 'node:stream';
import { openDatabase, type Knex } from '@outband/db';
import { messageServerEnv, startMessageServer, type MessageServerHandle } from '@outband/message-server';
import { createLogger } from '@outband/observability';
import { api, eventually } from '../support/http';
import { servers } from '../support/servers';
import { startSuite, subscribers, type Suite } from '../support/suite';

/**
 * Two message servers share one SMSC account, as replicas do. The SMSC sends each receipt to the
 * bind of the replica that did not submit the message, the moment it answers the submit: the
 * receipt often arrives before the other replica has stored the submit, and must still find it.
 */
let suite: Suite;
let second: MessageServerHandle | undefined;
let db: Knex;
const secondLogs: string[] = [];

beforeAll(async () => {
  suite = await startSuite({ simulator: { behaviour: { receiptDelayMs: 0, receiptBinds: 'other' } } });
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      secondLogs.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      cb();
    },
  });
  // The same bus, database and SMSC account as the suite's message server.
  second = await startMessageServer(
    messageServerEnv.parse({
      AMQP_URL: servers.amqp,
      BUS_PREFIX: suite.busPrefix,
      DATABASE_URL: suite.databaseUrl,
      BUS_SEAL_KEYS: suite.keys.seal,
      OPS_PORT: '0',
      OPS_HOST: '127.0.0.1',
      LOG_LEVEL: 'debug',
      SMPP_URL: `smpp://127.0.0.1:${suite.sim.smppPort}`,
      SMPP_SYSTEM_ID: 'outband',
      SMPP_PASSWORD: 'secret',
      SEND_RETRY_BASE_MS: '200',
    }),
    createLogger({ service: 'message-server-2', level: 'debug', destination: sink }),
  );
  await Promise.all([suite.message.waitBound(5000), second.waitBound(5000)]);
  db = openDatabase(suite.databaseUrl, { min: 0, max: 2 });
});
afterAll(async () => {
  await second?.stop();
  await db?.destroy();
  await suite?.stop();
});

it('applies every receipt of a burst, whichever replica submitted its message', async () => {
  const count = 200;
  const ids: string[] = [];
  // In waves, so the burst reaches both replicas without queueing at the API.
  for (let wave = 0; wave < count / 25; wave++) {
    const started = await Promise.all(
      Array.from({ length: 25 }, (_, i) =>
        api(suite, 'POST', '/v1/verifications', {
          body: { identifier: i % 2 === 0 ? subscribers.alice.identifier : subscribers.bob.identifier },
        }),
      ),
    );
    expect(started.map((r) => r.status).filter((s) => s !== 201)).toEqual([]);
    ids.push(...started.map((r) => String(r.body.id)));
  }

  // Messages by state; one whose receipt was dropped stays unsettled ("queued": its submit is stored) for good.
  const byState = async () => {
    const rows = await db('messages')
      .whereIn('verification_id', ids)
      .groupBy('state')
      .select<Array<{ state: string; n: number }>>('state', db.raw('count(*) as n'));
    return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
  };
  const states = await eventually(async () => {
    const s = await byState();
    return s.delivered === count ? s : undefined;
  }, 25_000).catch(byState);
  expect(states).toEqual({ delivered: count });

  // The data server learned each of them too.
  const certificates = await eventually(async () => {
    const rows = await db('certificates').whereIn('verification_id', ids).select<Array<{ delivery_state: string }>>('delivery_state');
    return rows.length === count && rows.every((r) => r.delivery_state === 'delivered') ? rows : undefined;
  });
  expect(certificates).toHaveLength(count);

  // Both replicas submitted, so receipts crossed both ways; none was given up.
  const submitted = (lines: string[]) => lines.filter((l) => l.includes('"message submitted"') && l.includes('message-server')).length;
  expect(submitted(suite.logs)).toBeGreaterThan(0);
  expect(submitted(secondLogs)).toBeGreaterThan(0);
  expect(suite.sim.stats().receipts).toBe(count);
  expect([...suite.logs, ...secondLogs].filter((l) => l.includes('receipt for an unknown message'))).toEqual([]);
}, 90_000);
