// The browser side of the console tests: Debian's chromium driven headless by playwright-core (installed by
// scripts/ensure-chromium.sh when missing), one browser per test file, pages that fail the test on any uncaught
// script error, and screenshots written to test/web/screenshots/ (gitignored) for a person to look at.
import { execFileSync } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { onTestFailed } from 'vitest';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
export const SCREENSHOT_DIR = join(HERE, 'screenshots');
const CHROMIUM = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium';

/** How long a DOM condition may take: generous for a loaded 2-core machine; a condition met returns at once. */
export const WAIT_MS = 10_000;

export const PHONE = { width: 390, height: 844 };

export async function launchBrowser(): Promise<Browser> {
  execFileSync('bash', [join(ROOT, 'scripts', 'ensure-chromium.sh')], { stdio: 'inherit', timeout: 600_000 });
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  // playwright gives every launch a fresh temporary profile (--user-data-dir) and runs it headless.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

export interface TestPage {
  page: Page;
  context: BrowserContext;
  /** Uncaught errors in the page's scripts; a test asserts this stays empty. */
  errors: string[];
}

/**
 * A page in its own context (its own storage). Before any script of the page runs, WebSocket is wrapped so a test
 * can drop the live connection (`dropConnection`) and hold reconnects off (`setOffline`) the way a lost network
 * would, then let them through again.
 */
export async function openPage(browser: Browser, url: string, viewport = { width: 1280, height: 900 }): Promise<TestPage> {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  await page.addInitScript(`(() => {
    const Native = window.WebSocket;
    window.__testSockets = [];
    window.__offline = false;
    window.WebSocket = class extends Native {
      constructor(url, protocols) {
        super(url, protocols);
        window.__testSockets.push(this);
        // Offline: the attempt fails, as it would with no network (the close event reports 1006).
        if (window.__offline) this.close();
      }
    };
  })();`);
  await page.goto(url);
  return { page, context, errors };
}

/** Closes the page's newest socket from its side, as a dropped network would, and keeps reconnects failing. */
export async function dropConnection(page: Page): Promise<void> {
  await page.evaluate('window.__offline = true; window.__testSockets[window.__testSockets.length - 1].close(3000, "test drop")');
}

export async function setOnline(page: Page): Promise<void> {
  await page.evaluate('window.__offline = false');
}

/** Waits until the locator's element shows text matching `pattern`. */
export async function waitForText(locator: Locator, pattern: RegExp): Promise<void> {
  await locator.filter({ hasText: pattern }).first().waitFor({ timeout: WAIT_MS });
}

/** Waits until an element matching `selector` exists with attribute `name` equal to `value`. */
export async function waitForAttribute(page: Page, selector: string, name: string, value: string): Promise<void> {
  await page.locator(`${selector}[${name}="${value}"]`).first().waitFor({ timeout: WAIT_MS });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/** Call inside a test: if it fails, the page is saved as `<name>-failed.png` to show what the browser saw. */
export function screenshotOnFailure(page: Page, name: string): void {
  onTestFailed(async () => {
    await screenshot(page, `${name}-failed`).catch(() => undefined);
  });
}
