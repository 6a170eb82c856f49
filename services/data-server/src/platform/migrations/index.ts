import { migrationSource } from '@outband/db';
import { merchantsSubscribers } from './001-merchants-subscribers';
import { verificationsCertificates } from './002-verifications-certificates';
import { deliveryAttempts } from './003-delivery-attempts';
import { transactions } from './004-transactions';
import { certifiedMessages } from './005-certified-messages';
import { auditEvents } from './006-audit-events';
import { paymentsLedger } from './007-payments-ledger';
import { merchantLimits } from './008-merchant-limits';
import { sessions } from './009-sessions';
import { reverseChannel } from './010-reverse-channel';
import { registeredMessages } from './011-registered-messages';
import { webhooks } from './012-webhooks';
import { decoyVerifications } from './013-decoy-verifications';
import { twilioCompatible } from './014-twilio-compatible';
import { merchantTexts } from './015-merchant-texts';
import { messageOutbox } from './016-message-outbox';
import { requestIds } from './017-request-ids';
import { webhookDueIndex } from './018-webhook-due-index';
import { messageOutboxDead } from './019-message-outbox-dead';
import { webhookClaims } from './020-webhook-claims';
import { auditChains } from './021-audit-chains';
import { subscriberAddressIndex } from './022-subscriber-address-index';
import { numberChecks } from './023-number-checks';
import { enrolments } from './024-enrolments';
import { silentAndClaims } from './025-silent-and-claims';
import { identifierRealms } from './026-identifier-realms';
import { factors } from './027-factors';

// In the order they run. A name is what knex records in its table: never rename one.
const migrations = [
  merchantsSubscribers,
  verificationsCertificates,
  deliveryAttempts,
  transactions,
  certifiedMessages,
  auditEvents,
  paymentsLedger,
  merchantLimits,
  sessions,
  reverseChannel,
  registeredMessages,
  webhooks,
  decoyVerifications,
  twilioCompatible,
  merchantTexts,
  messageOutbox,
  requestIds,
  webhookDueIndex,
  messageOutboxDead,
  webhookClaims,
  auditChains,
  subscriberAddressIndex,
  numberChecks,
  enrolments,
  silentAndClaims,
  identifierRealms,
  factors,
];

/** A knex migration source over the data server's migrations, in order. */
export const dataMigrationSource = migrationSource(migrations);

/** The table where knex records which of the data server's migrations ran. */
export const dataMigrationsTable = 'knex_migrations_data';
