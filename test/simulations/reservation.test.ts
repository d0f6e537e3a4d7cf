// The rental queue in-process: waits, holds, utilization and money in the report agree with the engine's own
// events; utilization is a share of capacity; the same seed gives the same bytes.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { EngineEvent } from '../../engine/index.ts';
import { loadScenario, loadScenarioFile, renderHtml, reportJson, runScenario } from '../../simulations/index.ts';
import { SCENARIO_DIR } from './fixtures.ts';

const count = (events: readonly EngineEvent[], predicate: (e: EngineEvent) => boolean) => events.filter(predicate).length;

describe('rental queue', () => {
  it('runs; the report agrees with the engine events', async () => {
    const events: EngineEvent[] = [];
    const report = await runScenario(loadScenarioFile(join(SCENARIO_DIR, 'rental-queue.yaml')), { onEngineEvents: (_v, batch) => events.push(...batch) });
    const variant = report.variants[0]!;
    const m = variant.metrics;
    const q = m.queues!;
    expect(variant.engine!.invariantViolations).toEqual([]);
    expect(variant.timeline.endedBy).toBe('settled');

    let charged = 0;
    let deposits = 0;
    let released = 0;
    let waived = 0;
    for (const e of events) {
      if (e.type === 'rental_started') {
        charged += e.chargedMinor;
        deposits += e.depositMinor;
        if (e.depositMinor === 0) waived++;
      }
      if (e.type === 'rental_ended') released += e.depositReleasedMinor;
    }
    expect(q.revenueMinor).toBe(charged);
    expect(m.money.revenueMinor).toBe(charged);
    expect(q.deposits.heldMinor).toBe(deposits);
    expect(q.deposits.releasedMinor).toBe(released);
    expect(q.deposits.heldAtEndMinor).toBe(0);
    expect(q.deposits.waivedCount).toBe(waived);
    expect(q.deposits.waivedCount).toBeGreaterThan(0);
    expect(q.deposits.heldCount).toBeGreaterThan(0);

    expect(q.holdsOfferedCount).toBe(count(events, (e) => e.type === 'hold_offered'));
    expect(q.holdsExpiredCount).toBe(count(events, (e) => e.type === 'hold_expired'));
    expect(q.holdsDeclinedCount).toBe(count(events, (e) => e.type === 'hold_released' && e.reason === 'declined'));
    expect(q.holdsConfirmedCount).toBe(count(events, (e) => e.type === 'rental_started'));
    expect(q.rentalCount).toBe(q.holdsConfirmedCount);
    expect(q.returnedCount).toBe(count(events, (e) => e.type === 'rental_ended'));
    expect(q.abandonedCount).toBe(count(events, (e) => e.type === 'queue_changed' && e.change === 'left'));
    expect(q.holdsOfferedCount).toBe(q.holdsConfirmedCount + q.holdsDeclinedCount + q.holdsExpiredCount + q.holdsReleasedAtCloseCount);
    expect(q.holdsExpiredCount).toBeGreaterThan(0);
    expect(q.abandonedCount).toBeGreaterThan(0);

    // One wait per hold offered (0 for a renter served at once), split by class without losing any.
    expect(q.waitMs.count).toBe(q.holdsOfferedCount);
    expect(Object.values(q.waitByPriorityClassMs).reduce((sum, d) => sum + d.count, 0)).toBe(q.waitMs.count);
    expect(q.waitMs.p50).toBeLessThanOrEqual(q.waitMs.p90);
    expect(q.waitMs.p90).toBeLessThanOrEqual(q.waitMs.p99);
    expect(q.waitMs.p99).toBeGreaterThan(0);
    expect(q.servedAtOnceCount + count(events, (e) => e.type === 'queue_changed' && e.change === 'joined')).toBe(q.joinedCount);

    expect(q.utilizationRatio).toBeGreaterThan(0);
    expect(q.utilizationRatio).toBeLessThanOrEqual(1);
    expect(q.rentedUtilizationRatio).toBeLessThanOrEqual(q.utilizationRatio);
    const busy = m.series.busyUnits!.ebikes!;
    expect(Math.max(...busy.map((p) => p[1]))).toBeLessThanOrEqual(12);
    expect(q.peakWaitingCount).toBe(Math.max(...m.series.queueLength!.ebikes!.map((p) => p[1])));

    const html = renderHtml(report);
    for (const title of ['Queue length over time', 'Unit utilization over time', 'Queue wait (join → unit held)', 'Wait by priority class']) expect(html).toContain(title);
  });

  it('is the same report byte for byte for the same seed', async () => {
    const loaded = loadScenarioFile(join(SCENARIO_DIR, 'rental-queue.yaml'), { set: ['duration=3h'] });
    const first = await runScenario(loaded);
    const again = await runScenario(loaded);
    expect(reportJson(again)).toBe(reportJson(first));
    expect(renderHtml(again)).toBe(renderHtml(first));
  });

  it('counts busy time against capacity: one unit always rented reads 1, and holds that expire keep the line moving', async () => {
    // One bike, renters every 10 minutes riding 20: the bike is never idle once the first renter took it.
    const busy = await runScenario(
      loadScenario({
        name: 'one-bike',
        duration: '2h',
        end: { policy: 'close_offers' },
        offers: [{ id: 'bike', inventory: 1, basePriceMinor: 500, mechanism: { type: 'reservation', mode: 'queue', holdMs: 60_000 } }],
        shoppers: { arrival: { type: 'trace', offsets: ['0s', '10m', '20m', '30m', '40m', '50m', '60m', '70m', '80m', '90m', '100m', '110m'] } },
        behaviour: { mechanism: 'reservation', rentalDuration: '20m' },
      }),
    );
    const q = busy.variants[0]!.metrics.queues!;
    expect(q.utilizationRatio).toBe(1);
    expect(q.rentedUtilizationRatio).toBe(1);
    expect(q.droppedAtCloseCount).toBeGreaterThan(0);
    expect(busy.variants[0]!.metrics.queues!.deposits.heldAtEndMinor).toBe(0);

    const ignored = await runScenario(
      loadScenario({
        name: 'ignored-holds',
        duration: '1h',
        offers: [{ id: 'bike', inventory: 1, basePriceMinor: 500, mechanism: { type: 'reservation', mode: 'queue', holdMs: 60_000 } }],
        shoppers: { arrival: { type: 'burst', at: 0, count: 5 } },
        behaviour: { mechanism: 'reservation', holdResponse: { confirm: 0, ignore: 1 }, rentalDuration: '20m' },
      }),
    );
    const i = ignored.variants[0]!.metrics.queues!;
    // Each hold expires after a minute and passes the bike on: five holds, the k-th after k−1 minutes of waiting.
    expect(i.holdsExpiredCount).toBe(5);
    expect(i.waitMs.max).toBe(4 * 60_000);
    expect(i.utilizationRatio).toBeGreaterThan(0);
    expect(i.rentedUtilizationRatio).toBe(0);
    expect(ignored.variants[0]!.timeline.endedBy).toBe('settled');
  });
});
