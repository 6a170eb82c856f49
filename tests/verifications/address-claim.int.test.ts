import { generateKeyPairSync } from 'node:crypto';
import jwt from 'jsonwebtoken';
import type { NetworkSimulator } from '@outband/network-simulator';
import { networkEnv, startTestNetwork } from '../support/network';
import { api, readCode } from '../support/http';
import { setPolicy } from '../support/payments';
import { startSuite, type Suite } from '../support/suite';

// A start whose number comes in a claim signed by a key the operator trusts for the merchant (the
// bank's identity provider, say): the code goes to that number, which no subscriber record holds.
let network: NetworkSimulator;
let suite: Suite;
const holder = '+33611223344';
const bank = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const stranger = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const pem = bank.publicKey.export({ type: 'spki', format: 'pem' }).toString();
const payment = { amount: 4990, currency: 'EUR', payee: 'Acme Books' };

beforeAll(async () => {
  network = await startTestNetwork();
  suite = await startSuite({
    env: { ...networkEnv(network), SIM_SWAP_ACTION: 'refuse' },
  });
});
afterAll(async () => {
  await suite?.stop();
  await network?.stop();
});
beforeEach(async () => {
  network.lines.reset();
  suite.sim.inbox.clear();
  await setPolicy(suite, { claimKeys: [{ kid: 'bank-1', alg: 'ES256', key: pem }] });
});

/** A claim of `phone_number`, signed by the bank's key unless told otherwise. */
function claim(
  o: { number?: string; aud?: string; key?: typeof bank.privateKey; kid?: string; lifetime?: number; issuedAgo?: number } = {},
) {
  const iat = Math.floor(Date.now() / 1000) - (o.issuedAgo ?? 0);
  return jwt.sign(
    { phone_number: o.number ?? holder, aud: o.aud ?? suite.merchant.id, iat, exp: iat + (o.lifetime ?? 300), sub: 'cust-42' },
    o.key ?? bank.privateKey,
    {
      algorithm: 'ES256',
      keyid: o.kid ?? 'bank-1',
    },
  );
}

const start = (addressClaim: string, extra: object = {}) =>
  api(suite, 'POST', '/v1/verifications', {
    body: { identifier: 'cust-42', purpose: 'transaction', transaction: payment, addressClaim, ...extra },
  });

describe('an address carried by a signed claim', () => {
  it('sends the code, with what it approves, to the number the claim carries, and the code signs', async () => {
    const v = await start(claim());
    expect(v.status).toBe(201);
    expect(v.body).toMatchObject({ status: 'pending', purpose: 'transaction', transaction: payment });
    expect(String(v.body.to)).toMatch(/44$/);
    const code = await readCode(suite, holder);
    const [text] = suite.sim.inbox.list(holder);
    expect(text?.text).toContain('49.90');
    expect(text?.text).toContain('Acme Books');
    const checked = await api(suite, 'POST', `/v1/verifications/${String(v.body.id)}/check`, { body: { code, transaction: payment } });
    expect(checked.body).toMatchObject({ status: 'approved' });
  });

  it('refuses a claim no trusted key signed, one for another merchant, and an expired or long-lived one', async () => {
    for (const bad of [
      claim({ key: stranger.privateKey }),
      claim({ kid: 'unknown' }),
      claim({ aud: 'another-shop' }),
      claim({ issuedAgo: 400, lifetime: 300 }),
      claim({ lifetime: 3600 }),
    ]) {
      const refused = await start(bad);
      expect(refused.status).toBe(400);
      expect(refused.contentType).toContain('application/problem+json');
      expect(refused.body).toMatchObject({ code: 'ADDRESS_CLAIM_INVALID' });
    }
    expect((await start(claim(), { identifier: 'someone-else' })).body).toMatchObject({ code: 'ADDRESS_CLAIM_INVALID' });
    await setPolicy(suite, { claimKeys: null });
    expect((await start(claim())).body).toMatchObject({ code: 'ADDRESS_CLAIM_INVALID' });
  });

  it("asks the operator's network first: a number swapped inside the window gets no code", async () => {
    network.lines.swapSim(holder, new Date(Date.now() - 3600 * 1000));
    const refused = await start(claim());
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ code: 'SIM_RECENTLY_SWAPPED' });
    // Another claimed number, started after, gets its code: the swapped one would have had it first.
    await start(claim({ number: '+33622334455' }));
    await readCode(suite, '+33622334455');
    expect(suite.sim.inbox.list(holder)).toHaveLength(0);
  });

  it('takes the SMS channel only, and its code is not resent', async () => {
    expect((await start(claim(), { channel: 'reverse-sms' })).body).toMatchObject({ code: 'CHANNEL_UNSUPPORTED' });
    const v = await start(claim());
    await readCode(suite, holder);
    const resent = await api(suite, 'POST', `/v1/verifications/${String(v.body.id)}/resend`, { body: { transaction: payment } });
    expect(resent.body).toMatchObject({ code: 'CHANNEL_UNSUPPORTED' });
  });

  it('refuses what is not a JWT as a field error', async () => {
    const bad = await start('not-a-token');
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({ code: 'INVALID_INPUT' });
  });
});
