import { randomBytes } from 'node:crypto';
import { openDatabase } from '@outband/db';
import { api, readCode, waitForInbox } from '../support/http';
import { startPayment } from '../support/payments';
import { secondMerchant, secondMerchantSeed, startAsSecondMerchant } from '../support/second-merchant';
import { startSuite, subscribers, type Suite } from '../support/suite';

// Identifier realms, as the operator configures them (ENROLMENT_REALM=merchant): what a merchant
// enrols is its own identifier, which no other merchant reads, and which shadows the
// installation's identifier of the same name for that merchant alone.
let suite: Suite;
beforeAll(async () => {
  suite = await startSuite({ seed: [secondMerchantSeed()], env: { ENROLMENT_REALM: 'merchant' } });
});
afterAll(async () => {
  await suite?.stop();
});
beforeEach(() => suite.sim.inbox.clear());

const asSecond = () => suite.token({ secret: secondMerchant.secret, issuer: secondMerchant.id, jwtid: randomBytes(8).toString('hex') });

/** Enrols `identifier` at `address` as the suite's merchant (or the second one), typing back the code. */
async function enrolled(identifier: string, address: string, token?: string): Promise<void> {
  const before = suite.sim.inbox.list(address).length;
  const started = await api(suite, 'POST', '/v1/enrolments', { body: { identifier, address }, ...(token ? { token } : {}) });
  expect(started.status).toBe(201);
  const code = await readCode(suite, address, before + 1);
  const confirmed = await api(suite, 'POST', `/v1/enrolments/${String(started.body.id)}/confirm`, {
    body: { code },
    ...(token ? { token: asSecond() } : {}),
  });
  expect(confirmed.body).toMatchObject({ status: 'confirmed' });
}

async function rows(identifier: string): Promise<Array<{ realm: string; address: string }>> {
  const db = openDatabase(suite.databaseUrl, { min: 0, max: 1 });
  try {
    return await db('subscribers')
      .where({ identifier })
      .orderBy('realm')
      .select<Array<{ realm: string; address: string }>>('realm', 'address');
  } finally {
    await db.destroy();
  }
}

describe('identifier realms: each merchant enrols into its own', () => {
  it("keeps two merchants' people of the same name apart", async () => {
    const [mine, theirs] = ['+33612000001', '+33612000002'];
    await enrolled('hank', mine);
    await enrolled('hank', theirs, asSecond());
    expect(await rows('hank')).toEqual([
      { realm: secondMerchant.id, address: theirs },
      { realm: suite.merchant.id, address: mine },
    ]);
    // Each merchant's login for hank goes to the number it enrolled.
    expect((await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'hank' } })).status).toBe(201);
    expect((await startAsSecondMerchant(suite, 'hank')).status).toBe(201);
    await waitForInbox(suite, mine, 2);
    await waitForInbox(suite, theirs, 2);
  });

  it("shadows the installation's identifier for the enrolling merchant alone, which the operator's record keeps", async () => {
    const number = '+33612000003';
    // In the installation's realm this would be refused (ENROLMENT_REFUSED): alice is the operator's.
    await enrolled('alice', number);
    expect(await rows('alice')).toEqual([
      { realm: '', address: subscribers.alice.address },
      { realm: suite.merchant.id, address: number },
    ]);
    // The enrolling merchant's codes for alice go to its number; another merchant's to the operator's.
    await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice' } });
    await waitForInbox(suite, number, 2);
    await startAsSecondMerchant(suite, 'alice');
    await waitForInbox(suite, subscribers.alice.address, 1);
    // The operator's alice heard of no change: nothing of hers moved.
    expect(suite.sim.inbox.list(subscribers.alice.address)).toHaveLength(1);
    // Her card at this merchant's terminal names her, not the merchant's alice: the code goes to her phone.
    const paid = await startPayment(
      suite,
      { kind: 'terminal', terminalId: 'T-1', pan: '4000000000000002' },
      { amount: 990, currency: 'EUR', payee: 'Shop' },
    );
    expect(paid.status).toBe(201);
    await waitForInbox(suite, subscribers.alice.address, 2);
    expect(suite.sim.inbox.list(number)).toHaveLength(2);
  });
});
