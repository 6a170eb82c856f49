import { randomBytes } from 'node:crypto';
import type { DemoSeed } from '@outband/data-server';
import { api, type Answer } from './http';
import type { Suite } from './suite';

/** A merchant besides the suite's own, to show what one merchant does stays with it. */
export const secondMerchant = {
  id: 'other-shop',
  kid: 'k1',
  secret: randomBytes(32).toString('base64'),
};

/** Its seed, with subscribers of the test's own. */
export function secondMerchantSeed(subscribers: DemoSeed['subscribers'] = []): DemoSeed {
  const m = secondMerchant;
  return { merchant: { id: m.id, name: 'Other', keys: [{ kid: m.kid, alg: 'HS256', key: m.secret }] }, subscribers };
}

/** Starts a login verification as the second merchant. */
export function startAsSecondMerchant(suite: Suite, identifier: string): Promise<Answer> {
  const m = secondMerchant;
  return api(suite, 'POST', '/v1/verifications', {
    body: { identifier },
    token: suite.token({ secret: m.secret, issuer: m.id, jwtid: randomBytes(8).toString('hex') }),
  });
}
