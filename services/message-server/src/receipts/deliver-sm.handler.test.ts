import { Writable } from 'node:stream';
import type { PDU } from 'smpp';
import type { MessageInboundV1 } from '@outband/contracts';
import { createLogger } from '@outband/observability';
import { deliverSmHandler } from './deliver-sm.handler';
import type { ReceiptTracker } from './receipt-tracker';

/** A handler whose inbound events and log lines are kept in memory. */
function setup() {
  const published: MessageInboundV1[] = [];
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _e, cb) {
      lines.push(chunk.toString());
      cb();
    },
  });
  const handle = deliverSmHandler(
    {
      receipts: {} as ReceiptTracker,
      publishInbound: (m) => {
        published.push(m);
        return Promise.resolve();
      },
      logger: createLogger({ service: 'test', destination }),
    },
    'smsc-a',
  );
  return { handle, published, lines };
}

const fromHandset = (text: string) =>
  ({ esm_class: 0, source_addr: '33612345678', source_addr_ton: 1, destination_addr: '38200', message_payload: text }) as unknown as PDU;

describe('deliverSmHandler, a mobile-originated message', () => {
  it('publishes a text the inbound contract takes', async () => {
    const { handle, published } = setup();
    await handle(fromHandset('STOP'));
    expect(published).toEqual([
      expect.objectContaining({ source: '+33612345678', destination: '38200', text: 'STOP', connection: 'smsc-a' }),
    ]);
  });

  it('acknowledges and drops a text longer than the contract takes, logging neither the text nor the number', async () => {
    const { handle, published, lines } = setup();
    const text = `code 482913 ${'y'.repeat(10_000)}`;
    await expect(handle(fromHandset(text))).resolves.toBeUndefined();
    expect(published).toEqual([]);
    const logged = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(logged).toEqual([
      expect.objectContaining({ connectionId: 'smsc-a', length: text.length, fields: ['text'], source: '+•••••••••78' }),
    ]);
    expect(lines.join('')).not.toContain('482913');
    expect(lines.join('')).not.toContain('612345');
  });
});
