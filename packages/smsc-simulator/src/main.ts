import { z } from 'zod';
import { envInt, parseEnv } from '@outband/config';
import { createLogger } from '@outband/observability';
import { startSmscSimulator } from './smsc-simulator';

const env = z.object({
  /** The SMPP port the message server binds to. */
  SMSC_SMPP_PORT: envInt(0, 65535).default(2775),
  /** The HTTP port of the inboxes (`/inbox/<number>`) and the phones page (`/phone`). */
  SMSC_HTTP_PORT: envInt(0, 65535).default(8025),
  /** The address both ports listen on. */
  SMSC_HOST: z.string().default('127.0.0.1'),
  /** Who may bind: `system_id:password,…` */
  SMSC_ACCOUNTS: z
    .string()
    .regex(/^[^:,]+:[^:,]*(,[^:,]+:[^:,]*)*$/, 'must be system_id:password,…')
    .default('outband:secret'),
  /** How long after a submit its delivery receipt is sent. */
  SMSC_RECEIPT_DELAY_MS: envInt(0, 600_000).default(200),
  /** The final state every delivery receipt reports. */
  SMSC_RECEIPT_STAT: z.enum(['DELIVRD', 'UNDELIV', 'EXPIRED', 'REJECTD', 'DELETED', 'UNKNOWN']).default('DELIVRD'),
});

async function main(): Promise<void> {
  const cfg = parseEnv(env);
  const logger = createLogger({ service: 'smsc-simulator' });
  const sim = await startSmscSimulator({
    smppPort: cfg.SMSC_SMPP_PORT,
    httpPort: cfg.SMSC_HTTP_PORT,
    host: cfg.SMSC_HOST,
    accounts: cfg.SMSC_ACCOUNTS.split(',').map((a) => {
      const [systemId = '', password = ''] = a.split(':');
      return { systemId, password };
    }),
    behaviour: { receiptDelayMs: cfg.SMSC_RECEIPT_DELAY_MS, receiptOutcomes: { [cfg.SMSC_RECEIPT_STAT]: 1 } },
    logger,
  });
  const stop = () => void sim.stop().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
