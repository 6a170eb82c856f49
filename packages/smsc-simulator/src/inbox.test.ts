import { Inbox, type InboxMessage } from './inbox';

const message = (to: string, messageIds: string[]): InboxMessage => ({
  messageIds,
  messageId: messageIds[0] ?? '',
  from: 'Outband',
  to,
  text: 'Your code is 123456',
  dataCoding: 0,
  parts: messageIds.length,
  receivedAt: new Date(0).toISOString(),
});

describe('Inbox', () => {
  it('marks the receipt on the message that holds the part, and on no other', () => {
    const inbox = new Inbox();
    inbox.add(message('33611111111', ['a1', 'a2']));
    inbox.add(message('+33622222222', ['b1']));
    inbox.markReceipt('a2', 'DELIVRD');
    inbox.markReceipt('unknown', 'UNDELIV');
    expect(inbox.list('+33611111111').map((m) => m.receipt)).toEqual(['DELIVRD']);
    expect(inbox.list('33622222222').map((m) => m.receipt)).toEqual([undefined]);
  });

  it('forgets the parts of cleared messages', () => {
    const inbox = new Inbox();
    const kept = message('+33611111111', ['c1']);
    inbox.add(kept);
    inbox.clear();
    inbox.markReceipt('c1', 'DELIVRD');
    expect({ receipt: kept.receipt, count: inbox.count() }).toEqual({ receipt: undefined, count: 0 });
  });
});
