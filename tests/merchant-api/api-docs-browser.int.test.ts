import { resolve } from 'node:path';
import type { Browser } from 'playwright-core';
import { browserArtifacts, launchChromium } from '../support/browser';
import { startSuite, type Suite } from '../support/suite';

/**
 * `/docs` as a merchant reads it, in headless Chromium: Redoc renders the reference from
 * `/openapi.json`, with the auth guide and the error codes, and nothing is fetched from
 * anywhere but the information server.
 */
const artifacts = browserArtifacts;

let suite: Suite;
let browser: Browser;
beforeAll(async () => {
  suite = await startSuite({ embedded: true });
  browser = await launchChromium();
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await suite?.stop();
});

describe('the API reference at /docs, in a browser', () => {
  it('renders every operation, the auth guide and the error codes, from this server only', async () => {
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
    const page = await context.newPage();
    const requested: string[] = [];
    page.on('request', (r) => requested.push(r.url()));
    const blockedByCsp: string[] = [];
    page.on('requestfailed', (r) => {
      if (/csp/i.test(r.failure()?.errorText ?? '')) {
        blockedByCsp.push(r.url());
      }
    });
    const errors: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') {
        errors.push(m.text());
      }
    });
    page.on('pageerror', (e) => errors.push(e.message));

    await page.goto(`${suite.baseUrl}/docs`);
    // Exists only once Redoc has fetched /openapi.json and rendered the operations.
    const start = page.locator('[data-section-id="operation/postV1Verifications"]');
    await start.getByRole('heading', { name: 'Start a verification' }).waitFor({ timeout: 20_000 });
    await expect(start.getByText('/v1/verifications', { exact: true }).first().isVisible()).resolves.toBe(true);

    // The auth guide: what to sign and how.
    const auth = page.locator('[data-section-id="section/Authentication"]');
    await expect(auth.locator('h2').first().isVisible()).resolves.toBe(true);
    expect(await auth.locator('h2').first().innerText()).toBe('Authentication');
    await expect(auth.getByText('a fresh random id for every request').isVisible()).resolves.toBe(true);
    await expect(auth.getByText("import jwt from 'jsonwebtoken';").first().isVisible()).resolves.toBe(true);

    // The error codes, with their status.
    const errorSection = page.locator('[data-section-id="section/Errors"]');
    await expect(errorSection.locator('h1, h2').first().isVisible()).resolves.toBe(true);
    expect(await errorSection.locator('h1, h2').first().innerText()).toBe('Errors');
    const codes = page.locator('[data-section-id="section/Errors/Error-codes"]');
    const replayed = codes.getByRole('row').filter({ hasText: 'TOKEN_REPLAYED' });
    await expect(replayed.isVisible()).resolves.toBe(true);
    expect(await replayed.innerText()).toMatch(/TOKEN_REPLAYED\s+401\s+This token \(jti\) was already used/);

    await page.screenshot({ path: resolve(artifacts, 'api-docs.png') });
    const sections: Array<[string, string]> = [
      ['operation/postV1Verifications', 'api-docs-operation.png'],
      ['section/Errors/Error-codes', 'api-docs-errors.png'],
    ];
    for (const [section, name] of sections) {
      // A string: the tests are typed without the DOM library.
      await page.evaluate(`document.querySelector('[data-section-id="${section}"]').scrollIntoView()`);
      await page.screenshot({ path: resolve(artifacts, name) });
    }

    // Nothing left the machine: the page, its two scripts and /openapi.json came from the
    // server; the one image Redoc asks of another host (the Redocly logo of its menu) was
    // refused by the page's CSP before any connection.
    const local = (url: string) => ['127.0.0.1', 'localhost'].includes(new URL(url).hostname);
    expect(requested.filter(local).map((url) => new URL(url).pathname)).toEqual(
      expect.arrayContaining(['/docs', '/docs/assets/redoc.standalone.js', '/docs/assets/init.js', '/openapi.json']),
    );
    const foreign = requested.filter((url) => !local(url));
    expect(blockedByCsp).toEqual(foreign);
    expect(foreign.every((url) => url.startsWith('https://cdn.redoc.ly/'))).toBe(true);
    // And the page needed nothing the CSP refused: the only error reports that refusal.
    expect(errors.filter((e) => !foreign.some((url) => e.includes(url)))).toEqual([]);
    await context.close();
  }, 60_000);
});
