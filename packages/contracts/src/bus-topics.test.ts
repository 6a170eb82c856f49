import { busTopics, checkTopicBody, isBusTopic, type BusTopic, type BusTopicBody } from './bus-topics';
import type { MessageStatusV1 } from './message-events';
import { busNames } from './topology';

/** The version the previous release sends, still read during an upgrade. */
const status: MessageStatusV1 = {
  type: 'message.status',
  version: 1,
  messageId: '2b1e5f1c-9a43-4a57-9a51-3a6d1a1f0c11',
  verificationId: `ve_${'a'.repeat(32)}`,
  state: 'delivered',
  at: '2025-01-01T00:00:00.000Z',
};

/** One valid message of each topic. */
const samples: { [T in BusTopic]: BusTopicBody<T> } = {
  'message.send': {
    type: 'message.send',
    version: 1,
    messageId: status.messageId,
    verificationId: status.verificationId,
    merchantId: 'm1',
    address: '+33612345678',
    receiverKind: 'mobile',
    purpose: 'login',
    locale: 'en',
    sealedCode: 'x',
    expiresInSeconds: 300,
  },
  'message.status': {
    type: 'message.status',
    version: 2,
    reports: [
      { messageId: status.messageId, verificationId: status.verificationId, state: 'submitted', at: status.at },
      { messageId: status.messageId, verificationId: status.verificationId, state: 'delivered', at: status.at, correlationId: 'req-1' },
    ],
  },
  'message.inbound': {
    type: 'message.inbound',
    version: 1,
    inboundId: status.messageId,
    source: '+33612345678',
    destination: '38000',
    text: '123456',
    connection: 'default',
    receivedAt: status.at,
  },
  'data.rpc': { type: 'merchant.keys.get', version: 1, merchantId: 'm1' },
};
const topics = Object.keys(busTopics) as BusTopic[];

describe('bus topics', () => {
  it('message.status still takes version 1, and a version 2 carries at least one report', () => {
    expect(() => checkTopicBody('message.status', status)).not.toThrow();
    expect(() => checkTopicBody('message.status', { type: 'message.status', version: 2, reports: [] })).toThrow(/reports/);
  });

  it.each(topics)('%s passes a valid body at its current version and refuses the next version', (topic) => {
    const body = samples[topic];
    expect(body.version).toBe(busTopics[topic].version);
    expect(() => checkTopicBody(topic, body)).not.toThrow();
    expect(() => checkTopicBody(topic, { ...body, version: busTopics[topic].version + 1 })).toThrow(/version/);
  });

  it('refuses a wrong body with an internal, non-retryable error naming the topic and each bad field', () => {
    const wrong = { ...status, messageId: 'nope', state: 'lost' };
    let caught: unknown;
    try {
      checkTopicBody('message.status', wrong);
    } catch (e) {
      caught = e;
    }
    expect(caught).toMatchObject({ code: 'BUS_MESSAGE_INVALID', kind: 'internal', retryable: false });
    expect((caught as Error).message).toMatch(/^invalid message\.status message, not sent: messageId: .+; state: /);
  });

  it('refuses the body of another topic', () => {
    expect(() => checkTopicBody('message.send', status)).toThrow(/^invalid message\.send message, not sent: type: /);
  });

  it('names each event by its routing key and each topic by a work queue of the topology', () => {
    const names = busNames('test');
    const events = topics.filter((t) => busTopics[t].kind === 'event');
    expect(events.sort()).toEqual(Object.values(names.routingKeys).sort());
    expect(topics.map((t) => names[busTopics[t].queue])).toEqual([
      'test.message.send',
      'test.data.message-status',
      'test.data.inbound',
      'test.data.rpc',
    ]);
    expect(isBusTopic('message.send')).toBe(true);
    expect(isBusTopic('toString')).toBe(false);
  });
});
