// The merchant console in a real browser against a real server: sign in with an API key, list an offer (a refused
// field first, with the server's message next to it), watch it live as a shopper joins, check a rule set with a
// mistake in it and preview its price curve. Every wait is for a DOM condition; nothing sleeps.
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleAssets } from '../../console/web-console.ts';
import { startHarness, type Harness } from '../gateway/helpers/harness.ts';
import { launchBrowser, openPage, PHONE, screenshot, screenshotOnFailure, waitForAttribute, waitForText, WAIT_MS } from './browser.ts';

let harness: Harness;
let browser: Browser;

beforeAll(async () => {
  // The console is bundled while the browser starts, not on the first page's clock.
  [harness, browser] = await Promise.all([startHarness({ devTokens: true }, { realClock: true }), launchBrowser(), consoleAssets()]);
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

describe('merchant console', () => {
  it('refuses a wrong key next to the field, then signs in', async () => {
    const { page, errors, context } = await openPage(browser, `${harness.server.httpUrl}/console#/merchant`);
    screenshotOnFailure(page, 'merchant-sign-in');
    await page.getByLabel('API key').fill('tuan_mk_nobody_0000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitForText(page.locator('[data-path="apiKey"] .field-error'), /Unknown API key.*unauthorized/);
    await screenshot(page, 'merchant-sign-in-refused');
    await page.getByLabel('API key').fill(harness.merchants.b.key);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await waitForText(page.locator('.status'), /No offers yet/);
    expect(errors).toEqual([]);
    await context.close();
  });

  it('lists an offer and watches it live: groups forming with a countdown, stock, watchers, events', async () => {
    const { page, errors } = await openPage(browser, `${harness.server.httpUrl}/console#/merchant?key=${harness.merchants.a.key}`);
    screenshotOnFailure(page, 'merchant-offer-live');
    await page.getByRole('heading', { name: 'List an offer' }).waitFor({ timeout: WAIT_MS });
    await page.getByLabel('Offer id').fill('web-tea');
    await page.getByLabel('Title').fill('Web tea');
    await page.getByLabel('Inventory (units)').fill('20');
    await page.getByLabel('List price (minor units)').fill('9000');
    // A group of one is not a group: the server's message lands next to the field.
    await page.getByLabel('Members to form a group (minSize)').fill('1');
    await page.getByRole('button', { name: 'List offer' }).click();
    await waitForText(page.locator('[data-path="mechanism.minSize"] > .field-error'), /Too small/);
    expect(await page.locator('[data-path="mechanism.minSize"] input').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'merchant-create-refused');

    await page.getByLabel('Members to form a group (minSize)').fill('3');
    await page.getByRole('button', { name: 'List offer' }).click();
    await waitForText(page.getByTestId('offer-title'), /Web tea/);
    await waitForAttribute(page, '[data-testid="connection-status"]', 'data-state', 'live');
    await waitForAttribute(page, '[data-testid="watchers"]', 'data-count', '1');

    // A shopper watches and opens a group: the merchant sees it form, with the time left on the server's clock.
    const shopper = await harness.shopper('hana');
    await shopper.ok({ type: 'subscribe', channel: 'offer:web-tea' });
    await shopper.ok({ type: 'match_group', offerId: 'web-tea' });
    const row = page.locator('table.groups tr[data-group-id]');
    await waitForText(row, /hana/);
    await waitForText(row.locator('.countdown'), /^(1[0-5]m|\d+m \d\ds)/);
    await waitForText(page.getByTestId('live-groups'), /^1$/);
    await waitForAttribute(page, '[data-testid="stock"]', 'data-available', '19');
    await waitForAttribute(page, '[data-testid="watchers"]', 'data-count', '2');
    await waitForText(page.locator('.event-log'), /hana opened group/);
    await waitForText(page.getByTestId('effects-off'), /Effects are not configured/);
    await screenshot(page, 'merchant-offer-live');

    // Back on the list, the new offer is there.
    await page.getByRole('link', { name: '← Your offers' }).click();
    await waitForText(page.locator('tr[data-offer-id="web-tea"]'), /Web tea/);
    await screenshot(page, 'merchant-offers');
    expect(errors).toEqual([]);
  });

  it('shows a rule set problem next to its field, and previews the price curve without saving', async () => {
    const offerId = await harness.createOffer({ basePriceMinor: 1_000 }, { tiers: [{ minSize: 3, priceMinor: 800 }, { minSize: 5, priceMinor: 700 }] });
    const { page, errors } = await openPage(browser, `${harness.server.httpUrl}/console#/merchant-offer?id=${offerId}&key=${harness.merchants.a.key}`, PHONE);
    screenshotOnFailure(page, 'merchant-rule-set');
    const secondTier = page.locator('[data-path="rules.0.tiers.1.priceMinor"] input');
    await secondTier.waitFor({ timeout: WAIT_MS });
    await secondTier.fill('900');
    await page.getByRole('button', { name: 'Check' }).click();
    await waitForText(page.locator('[data-path="rules.0.tiers.1.priceMinor"] > .field-error'), /must not be above the price of the tier before it/);
    await screenshot(page, 'merchant-rule-set-refused-phone');

    await secondTier.fill('700');
    await page.getByRole('button', { name: 'Check' }).click();
    await waitForText(page.getByTestId('rule-set-status'), /Valid/);
    await page.getByLabel('Joins per hour').fill('4');
    await page.getByRole('button', { name: 'Preview price curve' }).click();
    await waitForText(page.getByTestId('preview-summary'), /49 points: from .*7\.00 to .*10\.00/);
    await page.locator('fieldset.preview .chart canvas').waitFor();
    await screenshot(page, 'merchant-preview-phone');
    // Nothing was attached: the offer still runs on version 1.
    const versions = await harness.http('GET', `/v1/offers/${offerId}/rule-sets`, { key: harness.merchants.a.key });
    expect(versions.body.inForce).toBe(1);
    expect(errors).toEqual([]);
  });

  it('runs a shipped scenario on the server and shows its charts and report', async () => {
    const { page, errors } = await openPage(browser, `${harness.server.httpUrl}/console#/simulations?key=${harness.merchants.a.key}`);
    screenshotOnFailure(page, 'simulations');
    const overrides = page.getByLabel('Overrides (one path=value a line)');
    await overrides.waitFor({ timeout: WAIT_MS });
    await overrides.fill('not an override');
    await page.getByRole('button', { name: 'Run flash-sale' }).click();
    await waitForText(page.locator('[data-path="set"] > .field-error'), /path=value/);

    // A small run of the flash sale: five minutes of arrivals, at most 100 shoppers.
    await overrides.fill('duration=5m\nshoppers.max=100');
    await page.getByRole('button', { name: 'Run flash-sale' }).click();
    // The run starts a process of its own: on a loaded machine that takes a while, hence the longer wait.
    await page.locator('[data-testid="run-status"][data-state="done"]').waitFor({ timeout: 90_000 });
    const reportId = (await page.getByTestId('run-status').textContent())!.match(/report (\S+)\.$/)![1]!;
    try {
      await page.locator('[data-variant] figure canvas').first().waitFor({ timeout: WAIT_MS });
      await waitForText(page.locator('[data-variant]'), /shoppers, .* % bought/);
      expect(await page.locator('[data-variant] figure').count()).toBe(4);
      await waitForText(page.locator(`.report-list li[data-report-id="${reportId}"]`), /Open/);
      const html = await harness.http('GET', `/console/reports/${reportId}/report.html`);
      expect(html.status).toBe(200);
      expect(html.headers.get('content-type')).toMatch(/text\/html/);
      await screenshot(page, 'simulations');
      expect(errors).toEqual([]);
    } finally {
      await rm(join('reports', 'sim', reportId), { recursive: true, force: true });
    }
  });
});
