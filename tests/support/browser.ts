import { existsSync, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Where browser tests save their screenshots. */
export const browserArtifacts = resolve(__dirname, '../../test-artifacts/browser');

const chromiumPath = '/usr/bin/chromium';

/**
 * Debian's headless Chromium, as the browser tests drive it: no background traffic (this
 * machine reaches nothing outside), and a clear message when it is missing.
 */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} is missing: install Debian's chromium (apt-get install chromium); .ci/run does`);
  }
  mkdirSync(browserArtifacts, { recursive: true });
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
    ],
  });
}
