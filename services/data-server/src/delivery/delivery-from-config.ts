import type { MessageBus } from '@outband/bus';
import type { BusNames } from '@outband/contracts';
import type { Knex } from '@outband/db';
import type { Logger } from '@outband/observability';
import type { DataServerConfig } from '../config';
import type { DataServerMetrics } from '../platform/metrics';
import { CertificateRepository } from './certificate.repository';
import { MessageOutbox } from './message-outbox';
import { OutboundMessages } from './outbound-messages';

/** What goes to phones: the delivery records, the outbox to the message server, and the messages built for it. */
export function deliveryFromConfig(
  config: DataServerConfig,
  db: Knex,
  bus: Pick<MessageBus, 'publish'>,
  names: BusNames,
  m: DataServerMetrics,
  logger: Logger,
): { certificates: CertificateRepository; outbox: MessageOutbox; outbound: OutboundMessages } {
  const certificates = new CertificateRepository(db);
  const outbox = new MessageOutbox(db, {
    publish: (o) =>
      bus.publish(names.eventsExchange, names.routingKeys.messageSend, o.body, { messageId: o.messageId, correlationId: o.correlationId }),
    relayAfterMs: config.OUTBOX_RELAY_AFTER_MS,
    clock: () => new Date(),
    logger,
    onRelay: (outcome) => m.outboxRelayed.inc({ outcome }),
  });
  const outbound = new OutboundMessages({ outbox, busKeys: config.BUS_SEAL_KEYS });
  return { certificates, outbox, outbound };
}
