import { openDatabase } from '@outband/db';
import type { Bus } from '@outband/bus';
import { busNames } from '@outband/contracts';
import { api, eventually, waitForInbox } from '../support/http';
import { connectTestBus, loginMessageFor } from '../support/message-send';
import { startSuite, subscribers, type Suite } from '../support/suite';

// One `message.send` arriving twice at the same time (an outbox republishing a message whose
// confirm was lost while the broker redelivers it) reaches the handset once.
let suite: Suite;
let bus: Bus;
beforeAll(async () => {
  suite = await startSuite();
  bus = await connectTestBus(suite);
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
  const { messageId, body, certificate } = loginMessageFor(suite, String(started.body.id), '493817');
  // Its certificate, as the data server's outbox would have committed it: the reports find it.
  const db = openDatabase(suite.databaseUrl, { min: 0, max: 1 });
  await db('certificates').insert(certificate);
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
