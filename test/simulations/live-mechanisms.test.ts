// Auctions and rental queues in live mode: real WebSocket clients, with tokens carrying their facts (priority
// class, credit score, exposure limit), against a real server on loopback, each run bounded to a few seconds.
// What the clients measured must agree with what the server's engine holds at the end, and the same seed must
// bring the same crowd as in-process.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMerchantKey, parseMerchantKeyRecords } from '../../gateway/index.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import { loadScenarioFile, runScenario } from '../../simulations/index.ts';
import { SCENARIO_DIR } from './fixtures.ts';

const TOKEN_SECRET = 'simulation-mechanisms-secret-0123456789';

describe('live mode, auctions and queues', () => {
  let server: RunningServer;
  const merchant = generateMerchantKey('sim-mechanisms-merchant');
  const target = () => ({ url: server.httpUrl, merchantKey: merchant.apiKey, tokenSecret: TOKEN_SECRET });

  beforeAll(async () => {
    server = await startServer({
      config: { host: '127.0.0.1', port: 0, logLevel: 'silent', tokenSecret: TOKEN_SECRET, debugState: true },
      merchantKeys: parseMerchantKeyRecords(merchant.record),
    });
  });
  afterAll(() => server.close());

  it('plays the rental queue: holds, rentals, returns and deposits agree with the server', async () => {
    // 40 simulated minutes of the afternoon with short rides, at 1200×: about three real seconds.
    const loaded = loadScenarioFile(join(SCENARIO_DIR, 'rental-queue.yaml'), {
      set: ['duration=40m', 'shoppers.arrival={type: poisson, rate: 90, per: hour}', 'behaviour.rentalDuration={type: log_normal, median: 6m, sigma: 0.4, max: 15m}', 'live.timeScale=1200', 'live.maxWall=15s'],
    });
    const inProcess = (await runScenario(loaded)).variants[0]!.metrics;
    const report = await runScenario(loaded, { mode: 'live', live: target() });
    const variant = report.variants[0]!;
    const m = variant.metrics;
    const q = m.queues!;
    expect(variant.timeline.endedBy).toBe('settled');
    expect(variant.live!.wallMs).toBeLessThan(15_000);
    expect(m.shoppers.arrivedCount).toBe(inProcess.shoppers.arrivedCount);
    // Real time can reorder what simulated time keeps apart: a renter leaving just as a hold reaches it, or
    // confirming a hold at its last instant. Nothing else may be refused.
    for (const code of Object.keys(m.errorsByCode)) expect(['not_queued', 'hold_expired']).toContain(code);

    const liveOfferId = variant.live!.offerIds.ebikes!;
    const view = server.engine.reservation(liveOfferId)!;
    // Everything was returned, and the engine served from its line exactly the holds the clients saw after a wait.
    expect(view.holds).toBe(0);
    expect(view.rentals).toBe(0);
    expect(view.served).toBe(q.holdsOfferedCount - q.servedAtOnceCount);
    expect(q.rentalCount).toBeGreaterThan(0);
    expect(q.holdsOfferedCount).toBe(q.holdsConfirmedCount + q.holdsDeclinedCount + q.holdsExpiredCount + q.holdsReleasedAtCloseCount);
    // Money came on each renter's own channel: every deposit held was released, and the waiver reached the engine.
    expect(q.deposits.heldMinor).toBe(q.deposits.releasedMinor);
    expect(q.deposits.heldMinor).toBe(q.deposits.heldCount * 9_900);
    expect(q.deposits.waivedCount).toBeGreaterThan(0);
    expect(q.revenueMinor).toBe(m.money.revenueMinor);
    expect(m.money.soldUnits).toBe(q.rentalCount);
    expect(q.utilizationRatio).toBeGreaterThan(0);
    expect(q.utilizationRatio).toBeLessThanOrEqual(1);
    expect(variant.latency!.deliveryMs.count).toBeGreaterThan(0);
    expect(variant.engine!.stateHash).toBe(server.engine.stateHash());
    expect(variant.engine!.invariantViolations).toEqual([]);
  });

  it('plays a uniform-price sale: every winner hears its order, at the server’s clearing price', async () => {
    const loaded = loadScenarioFile(join(SCENARIO_DIR, 'uniform-sale.yaml'), {
      set: ['behaviour.exposureLimitMinor={type: uniform, min: 50000, max: 400000}', 'live.timeScale=900', 'live.maxWall=15s'],
    });
    const report = await runScenario(loaded, { mode: 'live', live: target() });
    const variant = report.variants[0]!;
    const lot = variant.metrics.auctions!.offers[0]!;
    expect(variant.timeline.endedBy).toBe('settled');
    const outcome = server.engine.auction(variant.live!.offerIds['tea-tins']!)!.outcome!;
    expect(lot.status).toBe('closed');
    expect(lot.clearingPriceMinor).toBe(outcome.clearingPriceMinor);
    expect(lot.soldUnits).toBe(outcome.unitsSold);
    // Each winner's private order arrived before its socket closed.
    expect(lot.winners).toHaveLength(outcome.winners);
    expect(lot.revenueMinor).toBe(outcome.clearingPriceMinor! * outcome.unitsSold);
    expect(variant.metrics.money.revenueMinor).toBe(lot.revenueMinor);
    for (const winner of lot.winners) expect(winner.surplusMinor!).toBeGreaterThanOrEqual(0);
    // The exposure limit went into the tokens: bids above it were refused by the engine.
    expect(variant.metrics.errorsByCode.exposure_exceeded ?? 0).toBeGreaterThan(0);
    expect(variant.live!.warnings).toEqual([]);
    expect(variant.engine!.stateHash).toBe(server.engine.stateHash());
  });
});
