// In-process runs: the same seed gives the same report byte for byte, another seed another one; every shipped
// scenario runs (shortened) and its metrics agree with the engine's own events (money is conserved).
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../engine/index.ts';
import { loadScenario, loadScenarioFile, renderHtml, reportJson, runScenario } from '../../simulations/index.ts';
import { SCENARIO_DIR, SHIPPED_SCENARIOS, smallScenario } from './fixtures.ts';

/** Shortened so the three together run in a few seconds. */
const SHORT: Record<(typeof SHIPPED_SCENARIOS)[number], string[]> = {
  'flash-sale.yaml': ['duration=10m'],
  'viral-cascade.yaml': ['duration=3h'],
  'pricing-ab.yaml': ['duration=30m'],
};

describe('determinism', () => {
  it('the same seed gives the same report, byte for byte; another seed another', async () => {
    const first = await runScenario(smallScenario());
    const again = await runScenario(smallScenario());
    const other = await runScenario(smallScenario(), { seed: 4 });
    expect(reportJson(again)).toBe(reportJson(first));
    expect(renderHtml(again)).toBe(renderHtml(first));
    expect(reportJson(other)).not.toBe(reportJson(first));
    expect(other.variants[0]!.engine!.stateHash).not.toBe(first.variants[0]!.engine!.stateHash);
    expect(first.seed).toBe(3);
    expect(first.variants[0]!.engine!.stateHash).toMatch(/^[0-9a-f]{16}$/);
    expect(first.variants[0]!.metrics.shoppers.arrivedCount).toBeGreaterThan(100);
  });

  it('variants meet the same shoppers (common random numbers)', async () => {
    const report = await runScenario(loadScenarioFile(join(SCENARIO_DIR, 'pricing-ab.yaml'), { set: SHORT['pricing-ab.yaml'] }));
    const [a, b] = report.variants;
    expect(a!.metrics.shoppers.arrivedCount).toBe(b!.metrics.shoppers.arrivedCount);
    expect(a!.metrics.commands.quote!.sentCount).toBe(b!.metrics.commands.quote!.sentCount);
    expect(a!.engine!.stateHash).not.toBe(b!.engine!.stateHash);
    expect(report.comparison!.map((row) => row.metric)).toContain('money.revenueMinor');
    // Patience timers of shoppers whose seats settled are cancelled: the run ends with the last group deadline.
    for (const variant of report.variants) {
      expect(variant.timeline.endedBy).toBe('settled');
      expect(variant.timeline.endedAtMs - variant.timeline.arrivalsEndMs).toBeLessThanOrEqual(7_200_000);
    }
  });
});

describe.each(SHIPPED_SCENARIOS)('shipped scenario %s (shortened, in-process)', (file) => {
  it('runs and its metrics agree with the engine events', async () => {
    const loaded = loadScenarioFile(join(SCENARIO_DIR, file), { set: SHORT[file] });
    const events = new Map<string, EngineEvent[]>();
    const report = await runScenario(loaded, { onEngineEvents: (variant, batch) => events.set(variant, [...(events.get(variant) ?? []), ...batch]) });
    expect(report.variants).toHaveLength(loaded.variants.length);
    for (const variant of report.variants) {
      const m = variant.metrics;
      const seen = events.get(variant.name) ?? [];
      let charged = 0;
      let paid = 0;
      let refunded = 0;
      let sold = 0;
      for (const event of seen) {
        if (event.type === 'group_joined') charged += event.chargedMinor;
        if (event.type === 'group_left') refunded += event.refundMinor;
        if (event.type === 'group_failed') for (const r of event.refunds) refunded += r.refundMinor;
        if (event.type === 'group_completed') {
          for (const member of event.members) {
            paid += member.paidMinor;
            refunded += member.refundMinor;
            sold += member.qty;
          }
        }
      }
      expect(m.money.revenueMinor).toBe(paid);
      expect(m.money.chargedMinor).toBe(charged);
      expect(m.money.refundedMinor).toBe(refunded);
      expect(m.money.soldUnits).toBe(sold);
      expect(m.money.chargedMinor).toBe(m.money.revenueMinor + m.money.refundedMinor + m.money.outstandingMinor);
      expect(m.money.pricePaidMinor.count).toBe(sold);
      expect(variant.engine!.invariantViolations).toEqual([]);
      expect(variant.engine!.commandsApplied).toBeGreaterThan(m.shoppers.arrivedCount);
      expect(sold).toBeLessThanOrEqual(loaded.variants[0]!.scenario.offers[0]!.inventory);
      expect(m.shoppers.arrivedCount).toBeGreaterThan(50);
      expect(m.money.revenueMinor).toBeGreaterThan(0);

      const g = m.groups!;
      expect(g.completedCount + g.failedCount + g.liveAtEndCount).toBe(g.openedCount);
      expect(g.formationRatio).toBeGreaterThan(0);
      expect(g.formationRatio).toBeLessThanOrEqual(1);
      expect(g.timeToFormMs.count).toBe(g.formedCount);
      expect(g.fillCurves.length).toBeGreaterThan(0);
      if (variant.timeline.endedBy === 'settled') {
        expect(g.liveAtEndCount).toBe(0);
        expect(m.money.outstandingMinor).toBe(0);
      }
      expect(m.series.priceMinor[loaded.base.offers[0]!.id]!.length).toBeGreaterThan(0);
    }
  });
});

describe('end policies and bounds', () => {
  it('close_offers settles everything when arrivals stop', async () => {
    const report = await runScenario(smallScenario({ end: { policy: 'close_offers' } }));
    const variant = report.variants[0]!;
    expect(variant.timeline.endedBy).toBe('offers_closed');
    expect(variant.timeline.endedAtMs).toBe(variant.timeline.arrivalsEndMs);
    expect(variant.metrics.groups!.liveAtEndCount).toBe(0);
    expect(variant.metrics.money.outstandingMinor).toBe(0);
  });

  it('shoppers.max caps arrivals and invited friends, and says how many were turned away', async () => {
    const report = await runScenario(smallScenario({ shoppers: { arrival: { type: 'poisson', rate: 2 }, max: 40 } }));
    const s = report.variants[0]!.metrics.shoppers;
    expect(s.arrivedCount + s.invitedArrivedCount).toBe(40);
    expect(s.cappedCount).toBeGreaterThan(0);
  });

  it('refuses offers the engine refuses, naming the offer', async () => {
    const scenario = smallScenario({ offers: [{ id: 'tea', inventory: 5, basePriceMinor: 100, mechanism: { type: 'group', minSize: 3, maxSize: 2, windowMs: 60_000 } }] });
    await expect(runScenario(loadScenario(scenario))).rejects.toThrow(/offers\.0: the engine refused it: invalid_settings/);
  });
});
