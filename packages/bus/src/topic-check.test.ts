import { busNames, type MessageStatusV1 } from '@outband/contracts';
import { Bus } from './bus';
import type { BusOptions } from './bus-options';
import { MemoryBroker } from './memory-bus';

const names = busNames('topic-check');
const logger = { info: () => undefined, warn: () => undefined, error: () => undefined };
const status: MessageStatusV1 = {
  type: 'message.status',
  version: 1,
  messageId: '2b1e5f1c-9a43-4a57-9a51-3a6d1a1f0c11',
  verificationId: `ve_${'a'.repeat(32)}`,
  state: 'delivered',
  at: '2025-01-01T00:00:00.000Z',
};
const bad = { ...status, state: 'lost' };

describe('publish checks the body against its topic before it leaves', () => {
  let broker: MemoryBroker;
  beforeEach(() => {
    broker = new MemoryBroker(names);
  });

  it('refuses a bad body on the in-process bus, and nothing reaches the queue', async () => {
    const bus = broker.connect(logger);
    await expect(bus.publish(names.eventsExchange, names.routingKeys.messageStatus, bad)).rejects.toMatchObject({
      code: 'BUS_MESSAGE_INVALID',
      kind: 'internal',
      retryable: false,
      message: expect.stringMatching(/^invalid message\.status message, not sent: state: /),
    });
    expect(broker.depth(names.messageStatusQueue)).toBe(0);
  });

  it('publishes a valid body, by exchange and routing key or by topic', async () => {
    const bus = broker.connect(logger);
    await bus.publish(names.eventsExchange, names.routingKeys.messageStatus, status, { messageId: 'a' });
    await bus.publish('message.status', status);
    expect(broker.depth(names.messageStatusQueue)).toBe(2);
  });

  it('refuses a bad body published by topic', async () => {
    const bus = broker.connect(logger);
    // @ts-expect-error the typed form does not compile with a wrong body either
    await expect(bus.publish('message.status', bad)).rejects.toMatchObject({ code: 'BUS_MESSAGE_INVALID' });
    expect(broker.depth(names.messageStatusQueue)).toBe(0);
  });

  it('refuses a routing key that is no event of the registry', async () => {
    const bus = broker.connect(logger);
    await expect(bus.publish(names.eventsExchange, 'message.sent', status)).rejects.toMatchObject({
      code: 'BUS_MESSAGE_INVALID',
      retryable: false,
      message: expect.stringContaining("no bus event is published as 'message.sent'"),
    });
  });

  it('checks a body sent straight to a work queue against the topic of that queue', async () => {
    const bus = broker.connect(logger);
    await expect(bus.publish('', names.messageSendQueue, status)).rejects.toThrow(/^invalid message\.send message, not sent: type: /);
    expect(broker.depth(names.messageSendQueue)).toBe(0);
  });

  it('refuses a bad body on the RabbitMQ bus before it waits for a channel', async () => {
    // Never connected: a body that passed the check would wait for the broker instead.
    const Unconnected = Bus as unknown as new (o: BusOptions) => Bus;
    const bus = new Unconnected({ url: 'amqp://127.0.0.1:1', names, logger, publishTimeoutMs: 50 });
    await expect(bus.publish(names.eventsExchange, names.routingKeys.messageStatus, bad)).rejects.toMatchObject({
      code: 'BUS_MESSAGE_INVALID',
    });
    await expect(bus.publish('message.status', status)).rejects.toMatchObject({ code: 'BROKER_UNAVAILABLE' });
  });
});
