/** Why the bank refused an authorization. */
export type DeclineReason = 'insufficient_funds' | 'card_blocked' | 'do_not_honor' | 'unknown_card';

export type AuthorizationResult = { kind: 'approved'; authorizationId: string } | { kind: 'declined'; reason: DeclineReason };

export interface AuthorizeRequest {
  /** Same key, same answer: a retried call never holds funds twice. */
  idempotencyKey: string;
  cardToken: string;
  amount: number;
  currency: string;
  merchantId: string;
  reference: string;
}

/**
 * The bank (patent: bank server 107). Every call either answers what the bank did or throws
 * `BANK_UNAVAILABLE`: the answer is never guessed, and a caller that got no answer finds out
 * later with `findAuthorization`.
 */
export interface BankAuthorizer {
  authorize(r: AuthorizeRequest): Promise<AuthorizationResult>;
  capture(authorizationId: string): Promise<void>;
  void(authorizationId: string): Promise<void>;
  /** What became of an authorize call whose answer was lost. */
  findAuthorization(
    idempotencyKey: string,
  ): Promise<{ authorizationId: string; status: 'approved' | 'declined' | 'captured' | 'voided' } | undefined>;
  /** The customer behind a card number read by a terminal; the number itself is not kept. */
  identifyCustomer(pan: string): Promise<{ customerId: string; cardToken: string } | undefined>;
}
