import type { Knex } from '@outband/db';
import type { Logger } from '@outband/observability';
import type { DataServerConfig } from '../config';
import type { DataServerMetrics } from '../platform/metrics';
import { WebhookRepository } from './webhook.repository';
import { WebhookSender } from './webhook-sender';
import { WebhookService } from './webhook.service';

/** The webhook service as the configuration says: who may be called, how often, how long. */
export function webhooksFromConfig(config: DataServerConfig, db: Knex, m: DataServerMetrics, logger: Logger): WebhookService {
  const destinations = { allowHttp: config.WEBHOOK_ALLOW_HTTP, allowedHosts: config.WEBHOOK_ALLOWED_HOSTS };
  const sender = new WebhookSender({ policy: destinations, timeoutMs: config.WEBHOOK_TIMEOUT_MS });
  return new WebhookService({
    repo: new WebhookRepository(db),
    keys: config.CONTENT_KEYS,
    retryBaseMs: config.WEBHOOK_RETRY_BASE_MS,
    giveUpMs: config.WEBHOOK_GIVE_UP_SECONDS * 1000,
    timeoutMs: config.WEBHOOK_TIMEOUT_MS,
    destinations,
    maxEndpoints: config.WEBHOOK_MAX_ENDPOINTS_PER_MERCHANT,
    concurrency: { total: config.WEBHOOK_CONCURRENCY, perMerchant: config.WEBHOOK_CONCURRENCY_PER_MERCHANT },
    send: (url, headers, body) => sender.post(url, headers, body),
    clock: () => new Date(),
    logger,
    onAttempt: (outcome, lagSeconds) => {
      m.webhookAttempts.inc({ outcome });
      if (outcome === 'delivered') {
        m.webhookLagSeconds.observe(lagSeconds);
      }
    },
  });
}
