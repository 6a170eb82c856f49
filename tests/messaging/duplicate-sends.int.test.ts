import { randomUUID } from 'node:crypto';
import { Bus } from '@outband/bus';
import { envKeyRing } from '@outband/config';
import { busNames, seal } from '@outband/contracts';
import { openDatabase } from '@outband/db';
import { createLogger } from '@outband/observability';
import { api, eventually, waitForInbox } from '../support/http';
import { servers } from '../support/servers';
import { startSuite, subscribers, type Suite } from '../support/suite';

// One `message.send` arriving twice at the same time (an outbox republishing a message whose
// confirm was lost while the broker redelivers it) reaches the handset once.
let suite: Suite;
let bus: Bus;
beforeAll(async () => {
  suite = await startSuite();
  bus = await Bus.connect({
    url: servers.amqp,
    names: busNames(suite.busPrefix),
    logger: createLogger({ service: 'test', level: 'warn' }),
  });
});
afterAll(async () => {
  await bus?.close();
  await suite?.stop();
});

it('sends a message that arrives twice at once only once', async () => {
  const started = await api(suite, 'POST', '/v1/verifications', { body: { identifier: subscribers.bob.identifier } });
  await waitForInbox(suite, subscribers.bob.address, 1);
  suite.sim.inbox.clear();
  const names = busNames(suite.busPrefix);
  const messageId = randomUUID();
  const body = {
    type: 'message.send',
    version: 1,
    messageId,
    verificationId: String(started.body.id),
    merchantId: suite.merchant.id,
    address: subscribers.alice.address,
    receiverKind: 'mobile',
    purpose: 'login',
    locale: 'en',
    sealedCode: seal(envKeyRing(32).parse(suite.keys.seal), '493817', messageId),
    expiresInSeconds: 300,
  };
  // Its certificate, as the data server's outbox would have committed it: the reports find it.
  const db = openDatabase(suite.databaseUrl, { min: 0, max: 1 });
  const now = new Date();
  await db('certificates').insert({
    id: messageId,
    verification_id: String(started.body.id),
    address: subscribers.alice.address,
    purpose: 'login',
    delivery_state: 'queued',
    outcome: 'pending',
    created_at: now,
    delivery_updated_at: now,
  });
  await db.destroy();
  await Promise.all([0, 1].map(() => bus.publish(names.eventsExchange, names.routingKeys.messageSend, body, { messageId })));
  // Both copies were taken: each was sent, or found the other being sent (or sent).
  const taken = () =>
    suite.logs.filter((l) => l.includes(messageId) && /message submitted|message already (being sent here|handled)/.test(l)).length;
  await eventually(async () => Promise.resolve(taken() >= 2 || undefined));
  const [sms] = await waitForInbox(suite, subscribers.alice.address, 1);
  expect(sms?.text).toContain('493817');
  expect(suite.sim.inbox.list(subscribers.alice.address)).toHaveLength(1);
});
