import { randomBytes } from 'node:crypto';

export type DeclineReason = 'insufficient_funds' | 'card_blocked' | 'do_not_honor' | 'unknown_card';

export interface Card {
  /** What merchants and Outband hold instead of the card number. */
  token: string;
  /** The card number, known only to the bank (and read by terminals). */
  pan: string;
  customerId: string;
  currency: string;
  /** Minor units. */
  balance: number;
  /** Authorized, not yet captured (minor units). */
  held: number;
  blocked: boolean;
  /** The issuer declines everything on this card without a reason. */
  doNotHonor: boolean;
}

export interface Authorization {
  id: string;
  idempotencyKey: string;
  cardToken: string;
  amount: number;
  currency: string;
  merchantId: string;
  reference: string;
  status: 'approved' | 'declined' | 'captured' | 'voided';
  declineReason?: DeclineReason;
  createdAt: string;
}

export interface AuthorizeRequest {
  cardToken: string;
  amount: number;
  currency: string;
  merchantId: string;
  reference: string;
}

export class BankConflict extends Error {}

/**
 * The simulated issuer: cards with balances, authorizations that hold funds, captures that
 * take them, voids that release them. Every change is keyed, so a repeated call answers as the
 * first did and never moves money twice.
 */
export class Bank {
  private readonly cards = new Map<string, Card>();
  private readonly authorizations = new Map<string, Authorization>();
  private readonly byKey = new Map<string, Authorization>();

  addCard(card: Omit<Card, 'held'> & { held?: number }): Card {
    const c: Card = { ...card, held: card.held ?? 0 };
    this.cards.set(c.token, c);
    return c;
  }

  card(token: string): Card | undefined {
    return this.cards.get(token);
  }

  /** The customer and the card token behind a card number (a terminal reads the number). */
  identify(pan: string): { customerId: string; cardToken: string } | undefined {
    const card = [...this.cards.values()].find((c) => c.pan === pan);
    return card ? { customerId: card.customerId, cardToken: card.token } : undefined;
  }

  authorize(idempotencyKey: string, r: AuthorizeRequest): Authorization {
    const seen = this.byKey.get(idempotencyKey);
    if (seen) {
      return seen;
    }
    const card = this.cards.get(r.cardToken);
    const declineReason = this.declineReason(card, r);
    const a: Authorization = {
      id: `au_${randomBytes(8).toString('hex')}`,
      idempotencyKey,
      ...r,
      status: declineReason ? 'declined' : 'approved',
      ...(declineReason ? { declineReason } : {}),
      createdAt: new Date().toISOString(),
    };
    if (card && !declineReason) {
      card.held += r.amount;
    }
    this.authorizations.set(a.id, a);
    this.byKey.set(idempotencyKey, a);
    return a;
  }

  capture(id: string): Authorization {
    const a = this.get(id);
    if (a.status === 'captured') {
      return a;
    }
    if (a.status !== 'approved') {
      throw new BankConflict(`authorization ${a.status}: nothing to capture`);
    }
    const card = this.cards.get(a.cardToken);
    if (card) {
      card.held -= a.amount;
      card.balance -= a.amount;
    }
    a.status = 'captured';
    return a;
  }

  void(id: string): Authorization {
    const a = this.get(id);
    if (a.status === 'voided' || a.status === 'declined') {
      return a;
    }
    if (a.status === 'captured') {
      throw new BankConflict('authorization captured: it cannot be voided');
    }
    const card = this.cards.get(a.cardToken);
    if (card) {
      card.held -= a.amount;
    }
    a.status = 'voided';
    return a;
  }

  find(id: string): Authorization | undefined {
    return this.authorizations.get(id);
  }

  findByKey(idempotencyKey: string): Authorization | undefined {
    return this.byKey.get(idempotencyKey);
  }

  list(): Authorization[] {
    return [...this.authorizations.values()];
  }

  private get(id: string): Authorization {
    const a = this.authorizations.get(id);
    if (!a) {
      throw new BankConflict(`no authorization ${id}`);
    }
    return a;
  }

  private declineReason(card: Card | undefined, r: AuthorizeRequest): DeclineReason | undefined {
    if (!card) {
      return 'unknown_card';
    }
    if (card.blocked) {
      return 'card_blocked';
    }
    if (card.doNotHonor || card.currency !== r.currency) {
      return 'do_not_honor';
    }
    return card.balance - card.held < r.amount ? 'insufficient_funds' : undefined;
  }
}
