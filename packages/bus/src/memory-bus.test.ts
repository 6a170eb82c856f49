import { busNames, messageStatusV1, type MessageStatusV1 } from '@outband/contracts';
import { MemoryBroker } from './memory-bus';

const names = busNames('memory-resume');
const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const status = (i: number): MessageStatusV1 => ({
  type: 'message.status',
  version: 1,
  messageId: `2b1e5f1c-9a43-4a57-9a51-3a6d1a1f0c1${i}`,
  verificationId: `ve_${'a'.repeat(32)}`,
  state: 'delivered',
  at: '2025-01-01T00:00:00.000Z',
});

it('takes the messages published while it stopped consuming once it resumes, on the in-process bus', async () => {
  const bus = new MemoryBroker(names).connect(logger);
  const seen: string[] = [];
  let arrived: () => void = () => undefined;
  await bus.consume(names.messageStatusQueue, messageStatusV1, (m) => {
    seen.push(m.messageId);
    arrived();
    return Promise.resolve();
  });
  const next = () => new Promise<void>((resolve) => (arrived = resolve));

  let delivered = next();
  await bus.publish(names.eventsExchange, names.routingKeys.messageStatus, status(1));
  await delivered;
  await bus.stopConsuming(0);
  await bus.publish(names.eventsExchange, names.routingKeys.messageStatus, status(2));
  delivered = next();
  await bus.resumeConsuming();
  await delivered;
  expect(seen).toEqual([status(1).messageId, status(2).messageId]);
  await bus.close();
});
