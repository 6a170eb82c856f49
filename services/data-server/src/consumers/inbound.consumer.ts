import { messageInboundV1, type BusNames } from '@outband/contracts';
import type { Bus } from '@outband/bus';
import type { Counter, Logger } from '@outband/observability';

/**
 * Takes messages sent from handsets off the bus. Until the reverse channel matches them to
 * verifications they are counted and acknowledged; their text is never logged (it may hold a code).
 */
export async function consumeInbound(bus: Bus, names: BusNames, received: Counter, logger: Logger): Promise<void> {
  await bus.consume(names.inboundQueue, messageInboundV1, async (m) => {
    received.inc();
    logger.info({ inboundId: m.inboundId, connection: m.connection }, 'mobile-originated message received');
    return Promise.resolve();
  });
}
