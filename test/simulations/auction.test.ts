// Auction scenarios in-process: what the report says about each auction agrees with the engine's own events (the
// winner pays the clearing price, revenue is the sum of the orders, bids and extensions are counted once), values
// are respected (nobody pays above its value), and the other kinds (Vickrey, Dutch, uniform price) run from the
// same scenario by `--set`.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../engine/index.ts';
import { loadScenarioFile, renderHtml, reportJson, runScenario, type SimulationReport } from '../../simulations/index.ts';
import { SCENARIO_DIR } from './fixtures.ts';

async function run(file: string, set: string[] = []): Promise<{ report: SimulationReport; events: EngineEvent[] }> {
  const events: EngineEvent[] = [];
  const report = await runScenario(loadScenarioFile(join(SCENARIO_DIR, file), { set }), { onEngineEvents: (_variant, batch) => events.push(...batch) });
  return { report, events };
}

type Closed = Extract<EngineEvent, { type: 'auction_closed' }>;

/** The checks every auction run must pass, whatever its kind. */
function expectAgreesWithEngine(report: SimulationReport, events: EngineEvent[]): void {
  const variant = report.variants[0]!;
  const m = variant.metrics;
  const a = m.auctions!;
  expect(variant.engine!.invariantViolations).toEqual([]);
  const closes = events.filter((e): e is Closed => e.type === 'auction_closed');
  let paid = 0;
  let units = 0;
  for (const close of closes) {
    const offer = a.offers.find((o) => o.offerId === close.offerId)!;
    expect(offer.status).toBe('closed');
    expect(offer.reason).toBe(close.reason);
    expect(offer.clearingPriceMinor).toBe(close.clearingPriceMinor);
    expect(offer.soldUnits).toBe(close.unitsSold);
    expect(offer.bidCount).toBe(close.bids);
    expect(offer.winners.map((w) => w.shopperId)).toEqual(close.winners.map((w) => w.shopperId));
    for (const winner of offer.winners) {
      // Every winner pays the clearing price, and never more than the unit is worth to it.
      expect(winner.unitPriceMinor).toBe(close.clearingPriceMinor);
      expect(winner.paidMinor).toBe(winner.unitPriceMinor * winner.qty);
      expect(winner.valueMinor).not.toBeNull();
      expect(winner.surplusMinor).toBe((winner.valueMinor! - winner.unitPriceMinor) * winner.qty);
      expect(winner.surplusMinor).toBeGreaterThanOrEqual(0);
      expect(offer.highestValueMinor).toBeGreaterThanOrEqual(winner.valueMinor!);
    }
    for (const w of close.winners) {
      paid += w.paidMinor;
      units += w.qty;
    }
    expect(offer.efficient).toBe(offer.optimalValueMinor > 0 ? offer.realizedValueMinor === offer.optimalValueMinor : null);
    // The chart's price ends at the clearing price.
    if (close.clearingPriceMinor !== null) expect(m.series.priceMinor[close.offerId]!.at(-1)![1]).toBe(close.clearingPriceMinor);
  }
  expect(a.closedCount).toBe(closes.length);
  expect(a.revenueMinor).toBe(paid);
  expect(m.money.revenueMinor).toBe(paid);
  expect(m.money.soldUnits).toBe(units);
  expect(m.money.outstandingMinor).toBe(0);
  expect(a.bidCount).toBe(events.filter((e) => e.type === 'bid_placed').length);
  expect(a.extensionCount).toBe(events.filter((e) => e.type === 'auction_extended').length);
  expect(m.commands.place_bid?.acceptedCount ?? 0).toBe(a.bidCount);
  expect(a.efficientRatio).toBeGreaterThanOrEqual(0);
  expect(a.efficientRatio).toBeLessThanOrEqual(1);
  expect(a.valueCapturedRatio).toBeLessThanOrEqual(1);
}

describe('bidding war (English, soft close)', () => {
  it('runs; the report agrees with the engine; snipers meet the soft close', async () => {
    const { report, events } = await run('bidding-war.yaml');
    expectAgreesWithEngine(report, events);
    const variant = report.variants[0]!;
    const a = variant.metrics.auctions!;
    expect(variant.timeline.endedBy).toBe('settled');
    expect(a.auctionCount).toBe(3);
    expect(a.soldCount).toBe(3);
    expect(a.extensionCount).toBeGreaterThan(0);
    expect(a.offers.every((o) => o.kind === 'english' && o.bidPoints.length > 0)).toBe(true);
    // A soft-close extension moves the close past the scheduled end.
    for (const offer of a.offers) if (offer.extensionCount > 0) expect(offer.closedAtMs!).toBeGreaterThan(variant.timeline.startMs + 50 * 60_000);
    expect(variant.metrics.shoppers.walkedAwayCount).toBeGreaterThan(0);
    const html = renderHtml(report);
    for (const title of ['Auction watch-a (english): price over time, bids as dots', 'Winner surplus', '<circle ']) expect(html).toContain(title);
  });

  it('is the same report byte for byte for the same seed, and another for another seed', async () => {
    const loaded = loadScenarioFile(join(SCENARIO_DIR, 'bidding-war.yaml'));
    const [first, again, other] = [await runScenario(loaded), await runScenario(loaded), await runScenario(loadScenarioFile(join(SCENARIO_DIR, 'bidding-war.yaml'), { seed: 5 }))];
    expect(reportJson(again)).toBe(reportJson(first));
    expect(renderHtml(again)).toBe(renderHtml(first));
    expect(other.variants[0]!.engine!.stateHash).not.toBe(first.variants[0]!.engine!.stateHash);
  });

  it('switches lot A to Vickrey and to a Dutch clock with --set, on the same bidders', async () => {
    const vickrey = await run('bidding-war.yaml', ['offers.0.mechanism.kind=vickrey']);
    expectAgreesWithEngine(vickrey.report, vickrey.events);
    const lot = vickrey.report.variants[0]!.metrics.auctions!.offers[0]!;
    expect(lot.kind).toBe('vickrey');
    // The lots share their settings through a YAML anchor; the override changes lot A alone.
    expect(vickrey.report.variants[0]!.metrics.auctions!.offers.slice(1).map((o) => o.kind)).toEqual(['english', 'english']);
    expect(lot.soldUnits).toBe(1);
    // Truthful sealed bids: the highest value wins and pays the second-highest bid (or the reserve).
    expect(lot.efficient).toBe(true);
    expect(lot.clearingPriceMinor!).toBeLessThanOrEqual(lot.winners[0]!.valueMinor!);

    const dutch = await run('bidding-war.yaml', ['offers.0.mechanism={type: auction, kind: dutch, dutch: {floorPriceMinor: 120000, stepMinor: 2000, stepIntervalMs: 20000}}', 'offers.0.basePriceMinor=500000']);
    expectAgreesWithEngine(dutch.report, dutch.events);
    const clock = dutch.report.variants[0]!.metrics.auctions!.offers[0]!;
    expect(clock.kind).toBe('dutch');
    expect(clock.reason).toBe('accepted');
    expect(clock.clearingPriceMinor!).toBeLessThan(500_000);
    expect(clock.clearingPriceMinor!).toBeGreaterThanOrEqual(120_000);
    expect(dutch.events.some((e) => e.type === 'auction_price_dropped')).toBe(true);
  });
});

describe('uniform-price sale', () => {
  it('sells the units at one price to the highest unit bids', async () => {
    const { report, events } = await run('uniform-sale.yaml');
    expectAgreesWithEngine(report, events);
    const a = report.variants[0]!.metrics.auctions!;
    const lot = a.offers[0]!;
    expect(lot.kind).toBe('uniform');
    expect(lot.soldUnits).toBe(20);
    expect(lot.winners.length).toBeGreaterThan(1);
    expect(lot.winners.reduce((sum, w) => sum + w.qty, 0)).toBe(20);
    expect(lot.revenueMinor).toBe(lot.clearingPriceMinor! * 20);
    expect(lot.efficient).toBe(true);
  });
});
