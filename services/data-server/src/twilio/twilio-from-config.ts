import type { Knex } from '@outband/db';
import { parseOcraSuite } from '@outband/otp';
import type { DataServerConfig } from '../config';
import type { MerchantRepository } from '../merchants/merchant.repository';
import type { SubscriberRepository } from '../subscribers/subscriber.repository';
import type { VerificationRepository } from '../verifications/verification.repository';
import { FactorRepository } from '../factors/factor.repository';
import type { FactorService } from '../factors/factor.service';
import { AttemptRepository } from './attempt.repository';
import { TwilioAccounts } from './twilio-accounts';
import { TwilioEntities } from './twilio-entities';
import { TwilioRepository } from './twilio.repository';
import { VerificationAttempts } from './verification-attempts';

/** The Twilio-compatible surface's accounts and services, entities and their factors, and attempts. */
export function twilioFromConfig(
  config: DataServerConfig,
  db: Knex,
  o: {
    merchants: MerchantRepository;
    subscribers: Pick<SubscriberRepository, 'findByAddress' | 'findByIdentifier'>;
    verifications: Pick<VerificationRepository, 'byFactors'>;
    factors: Pick<FactorService, 'create'>;
    clock: () => Date;
  },
) {
  const repo = new TwilioRepository(db);
  const factorRows = new FactorRepository(db);
  const suiteDigits = parseOcraSuite(config.CODE_SUITE).digits;
  return {
    twilio: new TwilioAccounts({ repo, merchants: o.merchants, factors: factorRows, clock: o.clock, suiteDigits }),
    twilioEntities: new TwilioEntities({ repo, factors: o.factors, factorRows, verifications: o.verifications, clock: o.clock }),
    twilioAttempts: new VerificationAttempts({ attempts: new AttemptRepository(db), subscribers: o.subscribers }),
  };
}
