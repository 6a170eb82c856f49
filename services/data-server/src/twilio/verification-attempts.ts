import type { TwilioAttempts, TwilioAttemptsV1 } from '@outband/contracts';
import type { SubscriberRepository } from '../subscribers/subscriber.repository';
import type { AttemptRepository } from './attempt.repository';

/** Twilio's Verification Attempts and their summary: how many codes a service or a number got, and how many were typed back. */
export class VerificationAttempts {
  constructor(
    private readonly d: {
      attempts: AttemptRepository;
      subscribers: Pick<SubscriberRepository, 'findByAddress' | 'findByIdentifier'>;
    },
  ) {}

  async read(req: Omit<TwilioAttemptsV1, 'type' | 'version'>): Promise<TwilioAttempts> {
    const { action, to, page = 0, pageSize = 50, ...filter } = req;
    // A number (or an identifier) is its subscriber's verifications; one nobody holds has none.
    const subscriberIds =
      to === undefined
        ? undefined
        : [
            await (to.startsWith('+')
              ? this.d.subscribers.findByAddress(to, req.merchantId)
              : this.d.subscribers.findByIdentifier(to, req.merchantId)),
          ]
            .filter((s) => s !== undefined)
            .map((s) => s.id);
    const f = { ...filter, ...(subscriberIds ? { subscriberIds } : {}) };
    return action === 'summary'
      ? { attempts: [], more: false, ...(await this.d.attempts.counts(f)) }
      : this.d.attempts.page(f, page, pageSize);
  }
}
