// Live mode end to end: real WebSocket clients against a real server on loopback, bounded to a few seconds. What
// the clients measured must agree with what the server's engine holds at the end.
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateMerchantKey, parseMerchantKeyRecords } from '../../gateway/index.ts';
import { startServer, type RunningServer } from '../../server/index.ts';
import { loadScenarioFile, runScenario } from '../../simulations/index.ts';
import { SCENARIO_DIR, smallScenario } from './fixtures.ts';

const TOKEN_SECRET = 'simulation-test-secret-0123456789abcdef';
const KNOWN_CODES = new Set(['sold_out', 'group_full', 'group_closed', 'offer_closed', 'limit_exceeded', 'client_connection_limit', 'client_queue_full']);

describe('live mode', () => {
  let server: RunningServer;
  const merchant = generateMerchantKey('sim-test-merchant');

  beforeAll(async () => {
    server = await startServer({
      config: { host: '127.0.0.1', port: 0, logLevel: 'silent', tokenSecret: TOKEN_SECRET, debugState: true },
      merchantKeys: parseMerchantKeyRecords(merchant.record),
    });
  });
  afterAll(() => server.close());

  it('drives a running server by URL; the clients’ figures match the server’s engine', async () => {
    // 40 s of the flash sale's opening rush played in two, then the offers close and every seat settles.
    const loaded = loadScenarioFile(join(SCENARIO_DIR, 'flash-sale.yaml'), {
      set: ['duration=40s', 'end.policy=close_offers', 'live.timeScale=20', 'live.maxWall=20s', 'live.maxConnections=300', 'live.requestTimeout=15s', 'live.settleGrace=15s'],
    });
    const inProcess = await runScenario(loaded);
    const report = await runScenario(loaded, { mode: 'live', live: { url: server.httpUrl, merchantKey: merchant.apiKey, tokenSecret: TOKEN_SECRET } });
    expect(report.mode).toBe('live');
    const variant = report.variants[0]!;
    const m = variant.metrics;
    const live = variant.live!;
    expect(live.target).toBe(server.httpUrl);
    expect(variant.timeline.endedBy).toBe('offers_closed');
    expect(live.wallMs).toBeLessThan(20_000);
    expect(live.warnings).toEqual([]);

    const offer = server.engine.offer(live.offerIds.sneakers!)!;
    expect(offer.status).toBe('closed');
    expect(m.money.soldUnits).toBe(offer.soldUnits);
    expect(m.money.soldUnits).toBeGreaterThan(0);
    expect(m.money.chargedMinor).toBe(m.money.revenueMinor + m.money.refundedMinor);
    expect(m.money.outstandingMinor).toBe(0);
    // Arrivals come from the seed alone, so both modes see the same crowd.
    expect(m.shoppers.arrivedCount).toBe(inProcess.variants[0]!.metrics.shoppers.arrivedCount);
    expect(m.shoppers.arrivedCount).toBeGreaterThan(100);
    for (const code of Object.keys(m.errorsByCode)) expect(KNOWN_CODES).toContain(code);

    const latency = variant.latency!;
    expect(latency.ackMs.count).toBe(live.commandsSent);
    expect(latency.ackMs.p50).toBeGreaterThan(0);
    expect(latency.ackMs.p99).toBeGreaterThanOrEqual(latency.ackMs.p50);
    expect(latency.ackMs.p999).toBeGreaterThanOrEqual(latency.ackMs.p99);
    expect(latency.deliveryMs.count).toBeGreaterThan(0);
    expect(latency.ackMs.bins.length).toBeGreaterThan(0);

    // The server shows its state (DEBUG_STATE), so the report carries the hash the server's engine has now.
    expect(variant.engine!.stateHash).toBe(server.engine.stateHash());
    expect(variant.engine!.invariantViolations).toEqual([]);
  });

  it('starts its own server when given no URL, and stops by itself at the wall-time bound', async () => {
    // Two simulated hours at 3600× would take 2 s; the bound stops it after one.
    const report = await runScenario(smallScenario({ live: { timeScale: 3_600, maxWall: '1s', settleGrace: '1s' } }), { mode: 'live' });
    const variant = report.variants[0]!;
    expect(variant.live!.target).toBe('in-process server');
    expect(variant.timeline.endedBy).toBe('wall_time_limit');
    expect(variant.live!.wallMs).toBeLessThan(5_000);
    expect(variant.engine!.stateHash).toMatch(/^[0-9a-f]{16}$/);
    expect(variant.metrics.shoppers.arrivedCount).toBeGreaterThan(0);
    expect(variant.metrics.money.chargedMinor).toBe(variant.metrics.money.revenueMinor + variant.metrics.money.refundedMinor + variant.metrics.money.outstandingMinor);
  });
});
