import { resolve } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { createLogger } from '@outband/observability';
import { startDemoShop, type DemoShop } from '@outband/demo-shop';
import { startNetworkSimulator, type NetworkSimulator } from '@outband/network-simulator';
import { api, eventually } from '../support/http';
import { card, setPolicy } from '../support/payments';
import { browserArtifacts, launchChromium } from '../support/browser';
import { startSuite, subscribers, type Suite } from '../support/suite';

/**
 * The demo as a newcomer uses it, in headless Chromium: sign in at the shop with the code the
 * phone page shows, then pay above the limit and approve it the same way.
 */
const artifacts = browserArtifacts;

let suite: Suite;
let shop: DemoShop;
let browser: Browser;
let network: NetworkSimulator;
beforeAll(async () => {
  network = await startNetworkSimulator({
    port: 0,
    client: { id: 'outband', secret: 'secret' },
    mnpApiKey: 'secret',
    logger: createLogger({ service: 'network-simulator', level: 'warn' }),
  });
  // What `pnpm start` runs: the embedded default, the operator's network APIs simulated.
  suite = await startSuite({
    embedded: true,
    simulator: { networkUrl: network.url },
    env: { NETWORK_API_URL: network.url, NETWORK_CLIENT_ID: 'outband', NETWORK_CLIENT_SECRET: 'secret' },
  });
  // Up to 30 EUR a payment needs no code; no code to a number whose SIM changed in 3 days.
  await setPolicy(suite, { limitAmount: 3_000, serviceChargeBps: 150, simSwapAction: 'refuse', simSwapHours: 72 });
  shop = await startDemoShop({
    port: 0,
    outband: {
      baseUrl: suite.baseUrl,
      merchantId: suite.merchant.id,
      key: { kid: suite.merchant.kid, alg: 'HS256', secret: suite.merchant.secret },
    },
    phoneUrl: `http://127.0.0.1:${suite.sim.httpPort}/phone`,
    logger: createLogger({ service: 'demo-shop', level: 'warn' }),
  });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await shop?.stop();
  await suite?.stop();
  await network?.stop();
});

/** Reads the newest code on the simulated phone of `address`, as the user would. */
async function codeOnPhone(phone: Page, address: string, count: number): Promise<string> {
  const bubbles = phone.locator(`.phone[data-address="${address}"] .sms`);
  await bubbles.nth(count - 1).waitFor({ timeout: 15_000 });
  const text = await bubbles.nth(count - 1).innerText();
  const code = /\b(\d{6,10})\b/.exec(text)?.[1];
  if (!code) {
    throw new Error(`no code in the text on the phone: ${text}`);
  }
  return code;
}

describe('the demo shop and the simulated phone, in a browser', () => {
  it('signs in with the code read on the phone, then approves a payment above the limit', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const phone = await context.newPage();
    const alice = subscribers.alice.address;
    await page.goto(shop.url);
    await phone.goto(`http://127.0.0.1:${suite.sim.httpPort}/phone?address=${encodeURIComponent(alice)}`);

    await page.getByLabel('identifier').fill('alice');
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.getByText('Code sent').waitFor();
    const signInCode = await codeOnPhone(phone, alice, 1);
    await phone.screenshot({ path: resolve(artifacts, '1-phone-sign-in-code.png') });
    await page.getByLabel('sign-in code').fill(signInCode);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByText('Signed in: approved.').waitFor();
    expect(await page.locator('#who').innerText()).toBe('alice');
    await page.screenshot({ path: resolve(artifacts, '2-shop-signed-in.png') });

    // 64.00 + 42.00 €: above the 30 € limit, so the bank is charged only once the code is typed.
    const before = await card(suite, 'tok_alice');
    await page.getByRole('button', { name: 'Add Hand grinder' }).click();
    await page.getByRole('button', { name: 'Add Pour-over kettle' }).click();
    await page.getByRole('button', { name: 'Pay' }).click();
    await page.getByText('approve it with the code on your phone').waitFor();
    expect(await page.locator('#pay-amount').innerText()).toBe('106.00 €');
    const payCode = await codeOnPhone(phone, alice, 2);
    // The text shows what is approved: the amount and the payee, in clear.
    expect(await phone.locator('.sms').nth(1).innerText()).toMatch(/106[.,]00/);
    await phone.screenshot({ path: resolve(artifacts, '3-phone-payment-code.png') });
    await page.getByLabel('payment code').fill(payCode);
    await page.getByRole('button', { name: 'Approve payment' }).click();
    await page.getByText('Payment approved: 106.00 € paid.').waitFor();
    await page.screenshot({ path: resolve(artifacts, '4-shop-paid.png') });
    expect((await card(suite, 'tok_alice')).balance).toBe(before.balance - 10_600);
    await context.close();
  }, 90_000);

  it('texts a reverse-channel code back from the phone page, which approves the verification', async () => {
    const started = await api(suite, 'POST', '/v1/verifications', { body: { identifier: 'alice', channel: 'reverse-sms' } });
    const reverse = started.body.reverse as { code: string; sendTo: string };
    const phone = await browser.newPage();
    const alice = subscribers.alice.address;
    await phone.goto(`http://127.0.0.1:${suite.sim.httpPort}/phone?address=${encodeURIComponent(alice)}`);
    const handset = phone.locator(`.phone[data-address="${alice}"]`);
    await handset.getByLabel('to').fill(reverse.sendTo);
    await handset.getByLabel('text').fill(reverse.code);
    await handset.getByRole('button', { name: 'Send' }).click();
    await handset.locator('.sms.sent').waitFor();
    const approved = await eventually(async () => {
      const v = await api(suite, 'GET', `/v1/verifications/${String(started.body.id)}`);
      return v.body.status === 'approved' ? v.body : undefined;
    });
    expect(approved.status).toBe('approved');
    await phone.screenshot({ path: resolve(artifacts, '5-phone-reverse-channel.png') });
    await phone.close();
  }, 60_000);

  it('refuses a wrong code and says why, without signing in', async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(shop.url);
    await page.getByLabel('identifier').fill('bob');
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.getByText('Code sent').waitFor();
    await page.getByLabel('sign-in code').fill('000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.locator('#status.error').waitFor();
    expect(await page.locator('#status').innerText()).toMatch(/wrong code|does not match/i);
    expect(await page.locator('#account').isHidden()).toBe(true);
    await page.screenshot({ path: resolve(artifacts, '6-shop-wrong-code.png') });
    await context.close();
  }, 60_000);

  it("refuses to send a code once the phone's SIM is swapped, and the shop says why", async () => {
    const context = await browser.newContext();
    const page = await context.newPage();
    const phone = await context.newPage();
    const bob = subscribers.bob.address;
    await phone.goto(`http://127.0.0.1:${suite.sim.httpPort}/phone?address=${encodeURIComponent(bob)}`);
    const handset = phone.locator(`.phone[data-address="${bob}"]`);
    const texts = suite.sim.inbox.list(bob).length;
    await handset.getByRole('button', { name: 'Swap SIM' }).click();
    await handset.getByText('SIM swapped').waitFor();
    await phone.screenshot({ path: resolve(artifacts, '7-phone-sim-swapped.png') });
    await page.goto(shop.url);
    await page.getByLabel('identifier').fill('bob');
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.locator('#status.error').waitFor();
    expect(await page.locator('#status').innerText()).toMatch(/SIM card changed/);
    await page.screenshot({ path: resolve(artifacts, '8-shop-sim-swap-refused.png') });
    // The network was asked, and the start refused before anything was written or sent.
    expect(network.calls['sim-swap/v2/check']).toBeGreaterThan(0);
    expect(suite.sim.inbox.list(bob)).toHaveLength(texts);
    await context.close();
  }, 60_000);
});
