import type { Card } from './bank';

/** Cards of the demo subscribers (launcher, compose): alice pays, bob is short, carol's card is blocked. */
export const demoCards: Array<Omit<Card, 'held'>> = [
  {
    token: 'tok_alice',
    pan: '4000000000000002',
    customerId: 'cu_alice',
    currency: 'EUR',
    balance: 500_000,
    blocked: false,
    doNotHonor: false,
  },
  { token: 'tok_bob', pan: '4000000000000010', customerId: 'cu_bob', currency: 'EUR', balance: 1_000, blocked: false, doNotHonor: false },
  {
    token: 'tok_claire',
    pan: '4000000000000028',
    customerId: 'cu_claire',
    currency: 'EUR',
    balance: 200_000,
    blocked: false,
    doNotHonor: false,
  },
  {
    token: 'tok_carol',
    pan: '4000000000000036',
    customerId: 'cu_carol',
    currency: 'EUR',
    balance: 200_000,
    blocked: true,
    doNotHonor: false,
  },
];
