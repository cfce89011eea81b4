// Real headless Chromium (Debian's `chromium`) driven by playwright-core, for the web page's tests:
// one browser per test file, a fresh profile directory each time.
import { existsSync } from 'node:fs';
import { chromium, type BrowserContext } from 'playwright-core';
import { makeTempDir } from './temp-dir.js';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export interface TestBrowser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Why the browser tests cannot run here (no chromium), or undefined. */
export function browserMissing(): string | undefined {
  return existsSync(CHROMIUM) ? undefined : `${CHROMIUM} not found: install Debian's chromium (scripts/test.sh does)`;
}

/** `ignoreHTTPSErrors`: accept a test's self-signed certificate (the TLS tests). */
export async function launchBrowser(viewport = { width: 1280, height: 860 }, opts: { ignoreHTTPSErrors?: boolean } = {}): Promise<TestBrowser> {
  const { dir, cleanup } = makeTempDir('gemcaen-chromium-');
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    // the profile directory is Chromium's --user-data-dir (playwright passes it so)
    args: CHROMIUM_ARGS,
    viewport,
    ...(opts.ignoreHTTPSErrors ? { ignoreHTTPSErrors: true } : {}),
  });
  return {
    context,
    async close() {
      await context.close();
      cleanup();
    },
  };
}
