import type { Logger } from '@outband/observability';
import type { RateLimiter, RedisClient } from '@outband/redis-limits';
import type { DataServerConfig } from '../config';
import type { DataServerMetrics } from '../platform/metrics';
import { RangeBlocks } from './range-blocks';
import { SendGuard } from './send-guard';

/** The toll-fraud guard with the configured country and number-range limits. */
export function sendGuardFromConfig(
  config: DataServerConfig,
  limiter: RateLimiter,
  redis: RedisClient,
  m: DataServerMetrics,
  logger: Logger,
): SendGuard {
  return new SendGuard({
    hit: (name, key, limit, windowMs, now) => limiter.hit(name, key, limit, windowMs, now),
    blocks: new RangeBlocks(redis, config.REDIS_PREFIX),
    countryLimit: config.COUNTRY_LIMIT,
    countryWindowSeconds: config.COUNTRY_WINDOW_SECONDS,
    rangeLimit: config.RANGE_LIMIT,
    rangeWindowSeconds: config.RANGE_WINDOW_SECONDS,
    rangeBlockSeconds: config.RANGE_BLOCK_SECONDS,
    rangeBlockScope: config.RANGE_BLOCK_SCOPE,
    rangeAlertLimit: config.RANGE_ALERT_LIMIT,
    onRefusal: (reason) => m.sendRefusals.inc({ reason }),
    onAlert: (kind) => m.abuseAlerts.inc({ kind }),
    logger,
  });
}
