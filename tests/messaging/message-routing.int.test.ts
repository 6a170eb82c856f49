import { randomBytes } from 'node:crypto';
import * as amqp from 'amqplib';
import { createLogger } from '@outband/observability';
import { startSmscSimulator, type SmscSimulator } from '@outband/smsc-simulator';
import { api, eventually, waitForInbox } from '../support/http';
import { servers } from '../support/servers';
import { startSuite, type Suite } from '../support/suite';

type View = {
  status: string;
  delivery?: { state: string; error?: string };
  deliveries?: Array<{ route: string; state: string; smscMessageIds: string[]; submittedAt?: string; error?: string }>;
};

async function view(suite: Suite, id: string): Promise<View> {
  return (await api(suite, 'GET', `/v1/verifications/${id}`)).body as View;
}

async function start(suite: Suite, identifier: string): Promise<string> {
  const res = await api(suite, 'POST', '/v1/verifications', { body: { identifier } });
  expect(res.status).toBe(201);
  return String(res.body.id);
}

async function finalDelivery(suite: Suite, id: string, timeoutMs = 20_000): Promise<View> {
  return eventually(async () => {
    const v = await view(suite, id);
    return v.delivery && ['delivered', 'failed', 'expired'].includes(v.delivery.state) ? v : undefined;
  }, timeoutMs);
}

const connection = (id: string, port: number, extra: object = {}) => ({
  id,
  url: `smpp://127.0.0.1:${port}`,
  systemId: 'outband',
  password: 'secret',
  ...extra,
});

describe('routing and failover between two SMSCs', () => {
  let suite: Suite;
  let backup: SmscSimulator;
  beforeAll(async () => {
    backup = await startSmscSimulator({
      smppPort: 0,
      httpPort: 0,
      accounts: [{ systemId: 'outband', password: 'secret' }],
      logger: createLogger({ service: 'backup-smsc', level: 'silent' }),
      behaviour: { receiptDelayMs: 20 },
    });
    suite = await startSuite({
      seed: [
        {
          merchant: { id: 'unused', name: 'x', keys: [] },
          subscribers: [
            { identifier: 'pierre', address: '+33611111111' },
            { identifier: 'hans', address: '+4917612345678' },
          ],
        },
      ],
      messageEnv: (sim) => ({
        SMPP_CONNECTIONS: JSON.stringify([
          connection('primary', sim.smppPort, { responseTimeoutMs: 500 }),
          connection('backup', backup.smppPort),
        ]),
        SMPP_ROUTES: JSON.stringify([
          { id: 'fr-primary', connection: 'primary', prefixes: ['+33'] },
          { id: 'fr-backup', connection: 'backup', prefixes: ['+33'] },
          { id: 'world', connection: 'backup' },
        ]),
      }),
    });
    await suite.message.waitBound(5000);
  });
  afterAll(async () => {
    await suite?.stop();
    await backup?.stop();
  });

  it('sends by the longest matching prefix, and lists the attempt on the verification', async () => {
    const fr = await start(suite, 'pierre');
    const de = await start(suite, 'hans');
    // Both SMSCs number their messages alike: receipts must be matched per connection.
    const vFr = await finalDelivery(suite, fr);
    const vDe = await finalDelivery(suite, de);
    expect(vFr.deliveries).toEqual([
      expect.objectContaining({
        route: 'fr-primary',
        state: 'delivered',
        submittedAt: expect.any(String),
        smscMessageIds: [expect.any(String)],
      }),
    ]);
    expect(vDe.deliveries?.[0]?.route).toBe('world');
    expect(backup.inbox.list('+4917612345678')).toHaveLength(1);
  });

  it('fails over to the backup route when the primary SMSC does not answer', async () => {
    suite.sim.configure({ silentSubmits: 1 });
    const id = await start(suite, 'pierre');
    const v = await finalDelivery(suite, id);
    expect(v.delivery?.state).toBe('delivered');
    expect(v.deliveries?.map((d) => [d.route, d.state])).toEqual([
      ['fr-primary', 'failed'],
      ['fr-backup', 'delivered'],
    ]);
    expect(v.deliveries?.[0]?.error).toContain('SMPP_TIMEOUT');
    expect(backup.inbox.list('+33611111111')).toHaveLength(1);
  });

  it('fails over when the primary throttles, and goes back to it afterwards', async () => {
    suite.sim.configure({ maxSubmitsPerSecond: 1 });
    const ids = [await start(suite, 'pierre'), await start(suite, 'pierre'), await start(suite, 'pierre')];
    const views = await Promise.all(ids.map((id) => finalDelivery(suite, id)));
    expect(views.every((v) => v.delivery?.state === 'delivered')).toBe(true);
    expect(suite.sim.stats().throttled).toBeGreaterThan(0);
    expect(views.flatMap((v) => v.deliveries ?? []).some((d) => d.route === 'fr-backup' && d.state === 'delivered')).toBe(true);
    suite.sim.configure({ maxSubmitsPerSecond: 0 });
    // Once the throttled bind's pause ends (it grows with each throttle), the primary takes the next message.
    const routesAfter = await eventually(async () => {
      const routes = (await finalDelivery(suite, await start(suite, 'pierre'))).deliveries?.map((d) => d.route);
      return routes?.[0] === 'fr-primary' ? routes : undefined;
    });
    expect(routesAfter).toEqual(['fr-primary']);
  });

  it('marks a message failed with the SMSC status when the number is refused, without retrying elsewhere', async () => {
    suite.sim.configure({ errorRules: [{ prefix: '+3361', status: 0x0b }] });
    const before = backup.stats().submits;
    const id = await start(suite, 'pierre');
    const v = await finalDelivery(suite, id);
    expect(v.delivery).toMatchObject({ state: 'failed', error: expect.stringContaining('0x0000000b') });
    expect(backup.stats().submits).toBe(before);
    suite.sim.configure({ errorRules: [] });
  });
});

describe('SMSC behaviours on one connection', () => {
  let suite: Suite;
  beforeAll(async () => {
    suite = await startSuite({
      env: { SMPP_BINDS: '2', SMPP_WINDOW: '2', SMPP_RESPONSE_TIMEOUT_MS: '2000' },
      simulator: { behaviour: { receiptDelayMs: 20, responseDelayMs: 30, window: 2 } },
    });
    await suite.message.waitBound(5000);
  });
  afterAll(async () => {
    await suite?.stop();
  });

  it('keeps within the SMSC window under a burst: no refusal, nothing lost', async () => {
    const ids = await Promise.all(Array.from({ length: 24 }, () => start(suite, 'alice')));
    const views = await Promise.all(ids.map((id) => finalDelivery(suite, id)));
    expect(views.every((v) => v.delivery?.state === 'delivered')).toBe(true);
    const stats = suite.sim.stats();
    expect(stats.windowRefusals).toBe(0);
    expect(stats.maxOutstanding).toBeLessThanOrEqual(2);
    expect(stats.binds).toBe(2);
  });

  it('loses nothing when the SMSC drops every link mid-burst: each message ends delivered', async () => {
    const first = await Promise.all(Array.from({ length: 10 }, () => start(suite, 'bob')));
    suite.sim.dropLinks();
    const second = await Promise.all(Array.from({ length: 10 }, () => start(suite, 'bob')));
    const views = await Promise.all([...first, ...second].map((id) => finalDelivery(suite, id, 30_000)));
    const states = views.map((v) => v.delivery?.state);
    expect(states.filter((s) => s !== 'delivered')).toEqual([]);
    // At most one handset copy per verification, except for submits in flight at the drop.
    expect(suite.sim.inbox.list('+4915112345678').length).toBeGreaterThanOrEqual(20);
  });

  it('does not lose receipts that overtake the storing of their submit response', async () => {
    suite.sim.configure({ receiptDelayMs: 0, responseDelayMs: 0 });
    const ids = await Promise.all(Array.from({ length: 20 }, () => start(suite, 'alice')));
    const views = await Promise.all(ids.map((id) => finalDelivery(suite, id)));
    expect(views.map((v) => v.delivery?.state).filter((s) => s !== 'delivered')).toEqual([]);
    suite.sim.configure({ receiptDelayMs: 20, responseDelayMs: 30 });
  });

  it('correlates receipts that write the id in decimal when the submit response gave hex', async () => {
    suite.sim.configure({ receiptIds: 'decimal' });
    const id = await start(suite, 'alice');
    expect((await finalDelivery(suite, id)).delivery?.state).toBe('delivered');
    suite.sim.configure({ receiptIds: 'same' });
  });

  it('keeps a message submitted (not failed, not crashed) when the SMSC gives an empty message id', async () => {
    suite.sim.configure({ messageIds: 'empty' });
    const id = await start(suite, 'alice');
    const v = await eventually(async () => {
      const r = await view(suite, id);
      return r.delivery?.state === 'submitted' ? r : undefined;
    });
    expect(v.deliveries?.[0]).toMatchObject({ state: 'submitted', smscMessageIds: [] });
    suite.sim.configure({ messageIds: 'hex' });
  });

  it('shapes messages for pagers: alphanumeric short and plain, numeric digits only', async () => {
    await start(suite, 'pager-7');
    const [numeric] = await waitForInbox(suite, '+33756000007');
    expect(numeric?.text).toMatch(/^\d{6}$/);
    await start(suite, 'pager-a');
    const [alpha] = await waitForInbox(suite, '+33756000008');
    expect(alpha?.text).toMatch(/^Outband login code \d{6}$/);
    expect(alpha?.parts).toBe(1);
  });
});

describe('mobile-originated messages', () => {
  let suite: Suite;
  let conn: amqp.ChannelModel;
  let ch: amqp.Channel;
  const queue = `outband-test-mo-${randomBytes(4).toString('hex')}`;
  beforeAll(async () => {
    suite = await startSuite();
    await suite.message.waitBound(5000);
    conn = await amqp.connect(servers.amqp);
    ch = await conn.createChannel();
    await ch.assertQueue(queue, { exclusive: true });
    await ch.bindQueue(queue, `${suite.busPrefix}.events`, 'message.inbound');
  });
  afterAll(async () => {
    await conn?.close();
    await suite?.stop();
  });

  it('answers each part, reassembles a concatenated message and publishes it once', async () => {
    const text = `OK 482913 ${'this reply is long enough to need several parts; '.repeat(5)}`;
    const parts = suite.sim.injectMo({ from: '+33612345678', to: '38100', text });
    expect(parts).toBeGreaterThan(1);
    const msg = await eventually(async () => (await ch.get(queue, { noAck: true })) || undefined);
    const event = JSON.parse(msg.content.toString()) as { type: string; source: string; destination: string; text: string };
    expect(event).toMatchObject({ type: 'message.inbound', source: '+33612345678', destination: '38100', text });
    // A later message from the same handset comes next: the first one was published only once.
    suite.sim.injectMo({ from: '+33612345678', to: '38100', text: 'a later message' });
    const next = await eventually(async () => (await ch.get(queue, { noAck: true })) || undefined);
    expect(JSON.parse(next.content.toString())).toMatchObject({ type: 'message.inbound', text: 'a later message' });
    expect(await ch.get(queue, { noAck: true })).toBe(false);
    await eventually(async () => (suite.logs.some((l) => l.includes('mobile-originated message received')) ? true : undefined));
  });
});
