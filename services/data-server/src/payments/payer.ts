import { AppError } from '@outband/errors';
import type { PaymentSource } from '@outband/contracts';
import type { Subscriber, SubscriberRepository } from '../subscribers/subscriber.repository';
import type { BankAuthorizer } from './bank/bank-authorizer';

/**
 * The subscriber who pays and the card token the bank is asked to charge: a terminal's card names
 * its holder through the bank; an identifier names a subscriber as the merchant sees it, who pays
 * with the card given or the one on file.
 */
export async function payerOf(
  subscribers: Pick<SubscriberRepository, 'findByBankCustomer' | 'findByIdentifier'>,
  bank: BankAuthorizer,
  merchantId: string,
  source: PaymentSource,
): Promise<{ subscriber: Subscriber; cardToken: string }> {
  if (source.kind === 'terminal') {
    const customer = await bank.identifyCustomer(source.pan);
    const subscriber = customer ? await subscribers.findByBankCustomer(customer.customerId) : undefined;
    if (!customer || !subscriber) {
      throw new AppError('not_found', 'CARDHOLDER_UNKNOWN', 'the bank does not know this card, or its holder is no subscriber');
    }
    return { subscriber: active(subscriber), cardToken: customer.cardToken };
  }
  const subscriber = await subscribers.findByIdentifier(source.identifier, merchantId);
  if (!subscriber) {
    throw new AppError('not_found', 'SUBSCRIBER_UNKNOWN', 'no subscriber has this identifier');
  }
  if (source.kind === 'card') {
    return { subscriber: active(subscriber), cardToken: source.cardToken };
  }
  if (!subscriber.cardToken) {
    throw new AppError('invalid_input', 'NO_CARD_ON_FILE', "the subscriber's contract has no card on file");
  }
  return { subscriber: active(subscriber), cardToken: subscriber.cardToken };
}

function active(s: Subscriber): Subscriber {
  if (s.status !== 'active') {
    throw new AppError('forbidden', 'SUBSCRIBER_SUSPENDED', 'the subscriber is suspended');
  }
  return s;
}
