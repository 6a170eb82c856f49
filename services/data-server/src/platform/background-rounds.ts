import type { Logger } from '@outband/observability';
import type { DataServerConfig } from '../config';
import type { MessageOutbox } from '../delivery/message-outbox';
import type { PaymentService } from '../payments/payment.service';
import type { RegisteredMessageService } from '../registered-messages/registered-message.service';
import type { SessionService } from '../sessions/session.service';
import type { WebhookService } from '../webhooks/webhook.service';
import { everyMs, type Rounds } from './rounds';

/** The data server's work that no message starts: webhooks to send, messages to relay, sweeps. */
export function startBackgroundRounds(
  config: DataServerConfig,
  d: {
    webhooks: Pick<WebhookService, 'deliverDue' | 'idle'>;
    outbox: Pick<MessageOutbox, 'relay'>;
    sessions: Pick<SessionService, 'sweep'>;
    registered: Pick<RegisteredMessageService, 'sweep'>;
    payments: Pick<PaymentService, 'sweep'>;
  },
  logger: Logger,
): Rounds {
  // The webhook outbox is sent from here.
  const webhookRounds = everyMs(
    config.WEBHOOK_POLL_MS,
    () => d.webhooks.deliverDue(),
    (err) => logger.warn({ err }, 'webhook round failed'),
  );
  // Messages whose first publish failed (broker away, a crash after the commit) go from here.
  const relayRounds = everyMs(
    config.OUTBOX_POLL_MS,
    () => d.outbox.relay(),
    (err) => logger.warn({ err }, 'outbox relay round failed'),
  );
  // Unfinished payments (a crash, a lost bank answer, a verification that ran out) are finished here.
  // Sessions first: the payments of codes that died with a session are then finished too.
  const sweepRounds = everyMs(
    config.PAYMENT_SWEEP_SECONDS * 1000,
    async () => {
      await d.sessions.sweep();
      await d.registered.sweep();
      await d.payments.sweep(config.PAYMENT_GRACE_SECONDS * 1000);
    },
    (err) => logger.warn({ err }, 'payment sweep failed'),
  );
  return {
    async stop() {
      await Promise.all([sweepRounds.stop(), webhookRounds.stop().then(() => d.webhooks.idle()), relayRounds.stop()]);
    },
  };
}
