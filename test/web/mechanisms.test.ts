// Auctions and reservation queues in the console, in a real browser against a real server: two shoppers bid on an
// English auction and the one outbid sees it while the merchant's page counts the bids; two shoppers share a
// one-unit queue, and the second is offered the unit the moment the first returns it. The server runs with an
// origin allowlist that does not list it, so these pages also show the console works on its own origin then.
// Every wait is for a DOM condition; nothing sleeps.
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleAssets } from '../../console/web-console.ts';
import { startHarness, type Harness } from '../gateway/helpers/harness.ts';
import { launchBrowser, openPage, PHONE, screenshot, screenshotOnFailure, waitForAttribute, waitForText, type TestPage } from './browser.ts';

let harness: Harness;
let browser: Browser;
const pages: TestPage[] = [];
const DESKTOP = { width: 1280, height: 900 };

beforeAll(async () => {
  // The console is bundled while the browser starts, not on the first page's clock.
  [harness, browser] = await Promise.all([
    startHarness({ devTokens: true, origins: ['https://shop.example'] }, { realClock: true }),
    launchBrowser(),
    consoleAssets(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await harness?.close();
});

async function listOffer(offerId: string, title: string, fields: Record<string, unknown>): Promise<void> {
  const answer = await harness.http('POST', '/v1/offers', { key: harness.merchants.a.key, body: { offerId, title, currency: 'CNY', ...fields } });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
}

/**
 * Three tabs (a merchant and two shoppers) kept across the tests, as a person would keep them open: a later test
 * follows a link in the same tab instead of paying for a fresh browser context each time.
 */
const tabs: (TestPage | undefined)[] = [];

async function livePage(tab: number, path: string, title: RegExp, viewport = DESKTOP): Promise<Page> {
  const page = await showInTab(tab, path, viewport);
  // The title first: it belongs to the page just shown, whose connection then goes live.
  await waitForText(page.getByTestId('offer-title'), title);
  await waitForAttribute(page, '[data-testid="connection-status"]', 'data-state', 'live');
  return page;
}

/** Shows `path` in tab `tab` (opening it the first time). */
async function showInTab(tab: number, path: string, viewport = DESKTOP): Promise<Page> {
  let opened = tabs[tab];
  if (opened) {
    await opened.page.setViewportSize(viewport);
    await opened.page.evaluate(`location.hash = ${JSON.stringify(`#${path}`)}`);
  } else {
    opened = await openPage(browser, `${harness.server.httpUrl}/console#${path}`, viewport);
    tabs[tab] = opened;
    pages.push(opened);
  }
  screenshotOnFailure(opened.page, `mechanisms-tab-${tab}`);
  return opened.page;
}

const merchantPage = (offerId: string, title: RegExp, viewport?: { width: number; height: number }) =>
  livePage(0, `/merchant-offer?id=${offerId}&key=${harness.merchants.a.key}`, title, viewport);

const shopperPage = (tab: 1 | 2, shopperId: string, offerId: string, title: RegExp, viewport?: { width: number; height: number }) =>
  livePage(tab, `/shopper?offer=${offerId}&shopper=${shopperId}&start=1`, title, viewport);

function expectNoPageErrors(): void {
  for (const opened of pages) expect(opened.errors).toEqual([]);
}

describe('auctions and queues in the console', () => {
  it('English auction: the second bidder outbids the first, who sees it with the new price; the merchant counts the bids', async () => {
    await listOffer('web-watch', 'Test watch', {
      inventory: 1,
      basePriceMinor: 10_000,
      endMs: Date.now() + 3_600_000,
      mechanism: {
        type: 'auction',
        kind: 'english',
        increments: [
          { fromMinor: 0, stepMinor: 100 },
          { fromMinor: 10_000, stepMinor: 500 },
        ],
        buyNowPriceMinor: 60_000,
        softClose: { windowMs: 60_000, extendMs: 60_000, maxExtensions: 5 },
      },
    });
    const [merchant, ivy, jay] = await Promise.all([
      merchantPage('web-watch', /Test watch/),
      shopperPage(1, 'ivy', 'web-watch', /Test watch/),
      shopperPage(2, 'jay', 'web-watch', /Test watch/, PHONE),
    ]);
    await waitForAttribute(merchant, '[data-testid="auction-bids"]', 'data-count', '0');
    await waitForText(ivy.getByRole('button', { name: /Buy now for/ }), /600\.00/);

    const bid = async (page: Page, maxMinor: string) => {
      await page.getByLabel('Your maximum bid (minor units)').fill(maxMinor);
      await page.getByRole('button', { name: 'Place bid' }).click();
      await page.locator('[data-testid="bid-status"][data-code="ok"]').waitFor();
    };
    await bid(ivy, '12000');
    await waitForAttribute(ivy, '[data-testid="auction-standing"]', 'data-standing', 'leading');
    // The first bid met the (zero) reserve: buy-now is off for everyone.
    await ivy.getByRole('button', { name: /Buy now for/ }).waitFor({ state: 'hidden' });

    await bid(jay, '15000');
    await waitForAttribute(jay, '[data-testid="auction-standing"]', 'data-standing', 'leading');
    // Proxy bidding: the price is ivy's maximum plus the increment at it (500 from 100.00 on).
    await waitForAttribute(ivy, '[data-testid="auction-standing"]', 'data-standing', 'outbid');
    await waitForText(ivy.getByTestId('auction-standing'), /You were outbid: bidder #2 leads at .*125\.00/);
    await waitForAttribute(ivy, '[data-testid="auction-price"]', 'data-price-minor', '12500');
    await waitForText(ivy.getByTestId('bid-status').locator('xpath=..'), /At least .*130\.00/);

    await waitForAttribute(merchant, '[data-testid="auction-bids"]', 'data-count', '2');
    await waitForText(merchant.getByTestId('auction-leader'), /bidder #2/);
    await waitForAttribute(merchant, '[data-testid="auction-price"]', 'data-price-minor', '12500');
    await waitForText(merchant.locator('.bid-list'), /bidder #2: price .*125\.00/);

    // A bid below the price plus the increment: the server's reason, under the button.
    await ivy.getByLabel('Your maximum bid (minor units)').fill('12600');
    await ivy.getByRole('button', { name: 'Place bid' }).click();
    await waitForText(ivy.locator('[data-testid="bid-status"][data-code="bid_too_low"]'), /bid at least 13000.*\(bid_too_low\)/);

    await screenshot(ivy, 'auction-shopper-outbid');
    await screenshot(jay, 'auction-shopper-leading-phone');
    await screenshot(merchant, 'auction-merchant');
    expectNoPageErrors();
  });

  it('queue with one unit: A rents it, B waits first in line, A returns it and B is offered the hold', async () => {
    await listOffer('web-bike', 'Test bike', {
      inventory: 1,
      basePriceMinor: 1_500,
      mechanism: { type: 'reservation', mode: 'queue', holdMs: 60_000, holdExtensionMs: 60_000, depositMinor: 20_000 },
    });
    const [merchant, kim, lee] = await Promise.all([
      merchantPage('web-bike', /Test bike/, PHONE),
      shopperPage(1, 'kim', 'web-bike', /Test bike/),
      shopperPage(2, 'lee', 'web-bike', /Test bike/, PHONE),
    ]);

    await kim.getByRole('button', { name: 'Join the line' }).click();
    const kimHold = kim.getByTestId('hold');
    await waitForText(kimHold, /A unit is held for you/);
    await waitForText(kimHold.locator('.countdown'), /^(1m 00s|\d\ds)$/);
    await kim.getByRole('button', { name: 'Confirm and start' }).click();
    await waitForText(kim.getByTestId('rental'), /charged .*15\.00, deposit .*200\.00/);
    await waitForAttribute(merchant, '[data-testid="units-busy"]', 'data-count', '1');

    await lee.getByRole('button', { name: 'Join the line' }).click();
    await waitForAttribute(lee, '[data-testid="queue-position"]', 'data-position', '0');
    await waitForText(lee.getByTestId('queue-position'), /^1 \(you are next\)$/);
    await waitForAttribute(merchant, '[data-testid="queue-waiting"]', 'data-count', '1');
    await waitForText(merchant.locator('tr[data-state="waiting"]'), /lee/);
    await screenshot(lee, 'queue-shopper-waiting-phone');

    await kim.getByRole('button', { name: 'Return the unit' }).click();
    await waitForText(kim.locator('.results'), /Returned after .*deposit released: .*200\.00/);
    const leeHold = lee.getByTestId('hold');
    await waitForText(leeHold, /A unit is held for you/);
    await leeHold.getByRole('button', { name: 'Confirm and start' }).waitFor();
    await waitForAttribute(merchant, '[data-testid="queue-waiting"]', 'data-count', '0');
    await waitForText(merchant.locator('tr[data-state="held"]'), /lee/);

    await screenshot(kim, 'queue-shopper-returned');
    await screenshot(lee, 'queue-shopper-held-phone');
    await screenshot(merchant, 'queue-merchant-phone');
    expectNoPageErrors();
  });

  it('a merchant lists a Dutch auction: a refused field is shown beside it, then the clock falls live', async () => {
    const page = await showInTab(0, `/merchant?key=${harness.merchants.a.key}`);
    await page.getByRole('heading', { name: 'List an offer' }).waitFor();
    await page.getByLabel('Mechanism').selectOption('auction');
    await page.getByLabel('Offer id').fill('web-tulips');
    await page.getByLabel('Title').fill('Test tulips');
    await page.getByLabel('Kind').selectOption('dutch');
    await page.getByLabel('Ends in (minutes from now)').fill('');
    // The clock starts at the list price (100.00 suggested for auctions): a floor above it is refused.
    await page.getByLabel('Floor price (minor units)').fill('20000');
    await page.getByLabel('Every (seconds)').fill('1');
    await page.getByRole('button', { name: 'List offer' }).click();
    const floor = page.locator('[data-path="mechanism.dutch.floorPriceMinor"]');
    await waitForText(floor.locator('> .field-error'), /must not be above basePriceMinor/);
    expect(await floor.locator('input').getAttribute('aria-invalid')).toBe('true');
    await screenshot(page, 'auction-create-refused');

    await page.getByLabel('Floor price (minor units)').fill('5000');
    await page.getByRole('button', { name: 'List offer' }).click();
    await waitForText(page.getByTestId('offer-title'), /Test tulips/);
    await page.getByTestId('dutch-next').waitFor();
    // A step a second: the server lowers the clock by itself, and the page shows it.
    await waitForAttribute(page, '[data-testid="auction-price"]', 'data-price-minor', '9500');
    await waitForText(page.locator('.event-log'), /The clock fell .*100\.00 → .*95\.00/);
    await screenshot(page, 'auction-merchant-dutch');
    expectNoPageErrors();
  });
});
