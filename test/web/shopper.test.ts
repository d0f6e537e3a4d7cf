// The shopper demo in a real browser against a real server: two pages race for the last seat and show the same
// outcome; a merchant's new rule set reaches an open page; a dropped connection resumes without a reload and shows
// exactly what was missed. Every wait is for a DOM condition; nothing sleeps.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleAssets } from '../../console/web-console.ts';
import { startHarness, type Harness } from '../gateway/helpers/harness.ts';
import { dropConnection, launchBrowser, openPage, PHONE, screenshot, setOnline, waitForAttribute, waitForText, type TestPage } from './browser.ts';

let harness: Harness;
let browser: Browser;
const pages: TestPage[] = [];

beforeAll(async () => {
  // The console is bundled while the browser starts, not on the first page's clock.
  [harness, browser] = await Promise.all([startHarness({ devTokens: true }, { realClock: true }), launchBrowser(), consoleAssets()]);
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

async function shopperPage(shopperId: string, offerId: string, viewport?: { width: number; height: number }): Promise<Page> {
  const opened = await openPage(browser, `${harness.server.httpUrl}/console#/shopper?offer=${offerId}&shopper=${shopperId}&start=1`, viewport);
  pages.push(opened);
  await waitForAttribute(opened.page, '[data-testid="connection-status"]', 'data-state', 'live');
  await waitForText(opened.page.getByTestId('offer-title'), /Test tea/);
  return opened.page;
}

function expectNoPageErrors(): void {
  for (const opened of pages) expect(opened.errors).toEqual([]);
}

describe('shopper demo', () => {
  it('two pages race for the last seat: one wins, the other is told sold_out, and both show the same market', async () => {
    const offerId = await harness.createOffer({ inventory: 1 });
    const [carol, dave] = await Promise.all([shopperPage('carol', offerId), shopperPage('dave', offerId)]);
    const match = (page: Page) => page.getByRole('button', { name: 'Match me into a group' }).click();
    await Promise.all([match(carol), match(dave)]);

    const outcome = async (page: Page) => {
      await page.locator('[data-testid="action-status"][data-code]').waitFor();
      return page.getByTestId('action-status').getAttribute('data-code');
    };
    const codes = await Promise.all([outcome(carol), outcome(dave)]);
    expect([...codes].sort()).toEqual(['ok', 'sold_out']);
    const winner = codes[0] === 'ok' ? 'carol' : 'dave';
    const loserPage = codes[0] === 'ok' ? dave : carol;
    await waitForText(loserPage.getByTestId('action-status'), /left/);

    // Both pages converge on the one truth: no unit left, one group, led by the winner.
    for (const page of [carol, dave]) {
      await waitForAttribute(page, '[data-testid="stock"]', 'data-available', '0');
      await waitForText(page.locator('.group-list .group-item'), new RegExp(`Led by ${winner}`));
      expect(await page.locator('.group-list .group-item').count()).toBe(1);
    }
    await screenshot(carol, 'shopper-race-carol');
    await screenshot(dave, 'shopper-race-dave');
    expectNoPageErrors();
  });

  it('a rule set the merchant attaches reaches an open shopper page, price and explanation', async () => {
    const offerId = await harness.createOffer({ basePriceMinor: 1_000 });
    const erin = await shopperPage('erin', offerId);
    await waitForAttribute(erin, '[data-testid="price"]', 'data-price-minor', '800');

    const merchant = await openPage(browser, `${harness.server.httpUrl}/console#/merchant-offer?id=${offerId}&key=${harness.merchants.a.key}`);
    pages.push(merchant);
    const tierPrice = merchant.page.locator('[data-path="rules.0.tiers.0.priceMinor"] input');
    await tierPrice.waitFor();
    await tierPrice.fill('650');
    await merchant.page.getByRole('button', { name: 'Attach this version' }).click();
    await waitForText(merchant.page.getByTestId('rule-set-status'), /Attached version 2/);

    await waitForAttribute(erin, '[data-testid="price"]', 'data-price-minor', '650');
    await waitForAttribute(erin, '[data-testid="headline-price"]', 'data-price-minor', '650');
    await waitForText(erin.locator('.explanation'), /size_tiers/);
    await waitForText(erin.locator('.event-log'), /Rule set version 2 in force/);
    await screenshot(erin, 'shopper-price-changed');
    expectNoPageErrors();
  });

  it('a dropped connection reconnects and resumes: the missed updates appear, without a reload', async () => {
    const offerId = await harness.createOffer();
    const frank = await shopperPage('frank', offerId, PHONE);
    await frank.evaluate('window.__notReloaded = true');

    await dropConnection(frank);
    await waitForAttribute(frank, '[data-testid="connection-status"]', 'data-state', 'reconnecting');
    // While frank is away, grace opens a group: four deltas frank has not seen.
    const grace = await harness.shopper('grace');
    const opened = await grace.ok({ type: 'open_group', offerId, groupId: 'while-away' });
    expect(opened.result.groupId).toBe('while-away');
    await setOnline(frank);

    await waitForAttribute(frank, '[data-testid="connection-status"]', 'data-state', 'live');
    await frank.locator('.event-log li[data-kind="resumed"]').waitFor();
    await waitForText(frank.locator('.event-log'), /grace opened group while-away/);
    await waitForText(frank.locator('.group-list .group-item'), /Led by grace/);
    await waitForAttribute(frank, '[data-testid="stock"]', 'data-available', '99');
    expect(await frank.evaluate('window.__notReloaded === true')).toBe(true);
    // Resumed from its offset (recovered), not refreshed from a fresh snapshot; and each missed delta shown once.
    expect(await frank.locator('.event-log li[data-kind="resynced"]').count()).toBe(0);
    expect(await frank.locator('.event-log li[data-kind="group_opened"]').count()).toBe(1);
    await screenshot(frank, 'shopper-resumed-phone');
    expectNoPageErrors();
  });
});
