import { messageInboundV1, type BusNames } from '@outband/contracts';
import type { MessageBus } from '@outband/bus';
import type { Counter, Logger } from '@outband/observability';
import type { ReverseChannel } from './reverse-channel';

export interface InboundDeps {
  bus: MessageBus;
  names: BusNames;
  reverse: Pick<ReverseChannel, 'reverse'>;
  received: Counter<'outcome'>;
  logger: Logger;
  /** Broker users whose handset messages are taken (the message server's): a forged one could approve a code. */
  publishers?: readonly string[];
}

/**
 * Messages sent from handsets (the reverse channel, patent aspect 2): a code texted back from
 * the subscriber's number approves its verification. The text is never logged (it holds a code).
 */
export async function consumeInbound(d: InboundDeps): Promise<void> {
  await d.bus.consume(
    d.names.inboundQueue,
    messageInboundV1,
    async (m) => {
      const r = await d.reverse.reverse(m.source, m.text);
      d.received.inc({ outcome: r.outcome });
      d.logger.info({ inboundId: m.inboundId, connection: m.connection, outcome: r.outcome }, 'mobile-originated message received');
    },
    { trustedPublishers: d.publishers ?? 'any' },
  );
}
