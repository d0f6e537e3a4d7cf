// The merchant pricing API over real HTTP and sockets: validate, preview over a day, attach (HTTP and WS), watch
// the offer's price move with explanations, read versions and price history, and keep other merchants out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { START_MS, startHarness, type Harness } from './helpers/harness.ts';
import type { TestClient } from './helpers/ws-client.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h.close();
});

const HOUR = 3_600_000;
const GUARDRAILS = {
  floorMinor: 100,
  ceilingMinor: 2_000,
  maxChange: { intervalMs: 60_000, maxRiseBps: 100_000, maxDropBps: 10_000 },
  killSwitch: { engaged: false },
};

function ruleSet(version: number, extra: Record<string, unknown> = {}) {
  return {
    schemaVersion: 1,
    currency: 'CNY',
    version,
    rules: [
      { kind: 'size_tiers', tiers: [{ minSize: 3, priceMinor: 750 }, { minSize: 5, priceMinor: 700 }] },
      { kind: 'window', label: 'flash sale', schedule: { type: 'absolute', startMs: START_MS + 6 * HOUR, endMs: START_MS + 8 * HOUR }, adjustment: { type: 'bps', bps: -2_000 } },
    ],
    guardrails: GUARDRAILS,
    ...extra,
  };
}

const startContext = {
  basePriceMinor: 1_000,
  nowMs: START_MS,
  utcOffsetMinutes: 480,
  groupSize: 1,
  seatsMissing: 2,
  groupDeadlineMs: null,
  offerEndMs: null,
  inventoryLeft: 100,
  inventoryTotal: 100,
  demand: { joinsSinceSurgeUpdate: 0, bidsSinceSurgeUpdate: 0, queueLength: 0, utilizationBps: 0 },
  segment: { newcomer: false, memberTier: null, isLeader: false },
  surge: null,
  priceWindow: null,
};

const sum = (lines: { deltaMinor: number }[]): number => lines.reduce((total, line) => total + line.deltaMinor, 0);

async function watch(offerId: string): Promise<TestClient> {
  const watcher = await h.connect();
  await watcher.request({ type: 'subscribe', channel: `offer:${offerId}` });
  return watcher;
}

function deltaOf(client: TestClient, type: string, match: (event: Record<string, unknown>) => boolean = () => true) {
  return client.waitFor((m) => m.type === 'delta' && m.event.type === type && match(m.event), type);
}

describe('pricing API', () => {
  it('validates a rule set, naming the rule and field of each problem', async () => {
    const key = h.merchants.a.key;
    const bad = ruleSet(2, {
      rules: [{ kind: 'size_tiers', tiers: [{ minSize: 3, priceMinor: 750 }, { minSize: 5, priceMinor: 800 }] }, { kind: 'rounding', colour: 'red' }],
    });
    const refused = await h.http('POST', '/v1/rule-sets/validate', { key, body: { ruleSet: bad } });
    expect(refused.status).toBe(422);
    expect(refused.body.error.code).toBe('invalid_settings');
    const paths = (refused.body.error.errors as { path: string }[]).map((error) => error.path);
    expect(paths).toContain('ruleSet.rules.0.tiers.1.priceMinor');
    expect(paths.some((path) => path.startsWith('ruleSet.rules.1.'))).toBe(true);

    const accepted = await h.http('POST', '/v1/rule-sets/validate', { key, body: { ruleSet: ruleSet(2) } });
    expect(accepted.status).toBe(200);
    expect(accepted.body).toMatchObject({ ok: true, ruleSet: { version: 2, currency: 'CNY' } });

    // Against an offer, also its currency and the next version.
    const offerId = await h.createOffer();
    const stale = await h.http('POST', '/v1/rule-sets/validate', { key, body: { offerId, ruleSet: ruleSet(1, { currency: 'USD' }) } });
    expect(stale.status).toBe(422);
    expect((stale.body.error.errors as { path: string }[]).map((error) => error.path).sort()).toEqual(['ruleSet.currency', 'ruleSet.version']);
    expect((await h.http('POST', '/v1/rule-sets/validate', { key: h.merchants.b.key, body: { offerId, ruleSet: ruleSet(2) } })).status).toBe(403);
    expect((await h.http('POST', '/v1/rule-sets/validate', { body: { ruleSet: ruleSet(2) } })).status).toBe(401);
  });

  it('previews a rule set over a day as a bounded series with explanations, without touching the market', async () => {
    const key = h.merchants.a.key;
    const hash = h.server.engine.stateHash();
    const scenario = { start: startContext, durationMs: 24 * HOUR, sampleEveryMs: 10 * 60_000, joinsPerHour: 1, unitsPerJoin: 1, groupSizeMax: 5 };
    const answer = await h.http('POST', '/v1/pricing/preview', { key, body: { type: 'join_rate', ruleSet: ruleSet(2), scenario, explain: 'changes' } });
    expect(answer.status).toBe(200);
    const { preview } = answer.body;
    expect(answer.body.type).toBe('timeline');
    expect(preview.points).toHaveLength(24 * 6 + 1);
    expect(preview.truncated).toBe(false);
    const changed = (preview.points as { changed: boolean; priceMinor: number; explanation: { deltaMinor: number; rule: string }[] | null }[]).filter((point) => point.changed);
    expect(changed.map((point) => point.priceMinor)).toEqual([1_000, 750, 700, 560, 700]);
    for (const point of changed) expect(sum(point.explanation!)).toBe(point.priceMinor);
    expect(changed[3]!.explanation!.map((line) => line.rule)).toContain('window');
    expect(h.server.engine.stateHash()).toBe(hash);

    const single = await h.http('POST', '/v1/pricing/preview', { key, body: { type: 'context', ruleSet: ruleSet(2), context: { ...startContext, groupSize: 5 } } });
    expect(single.status).toBe(200);
    expect(single.body.evaluation.priceMinor).toBe(700);
    expect(sum(single.body.evaluation.explanation)).toBe(700);

    // Bounded: a day sampled every second is more points than a preview returns.
    const tooMany = await h.http('POST', '/v1/pricing/preview', { key, body: { type: 'join_rate', ruleSet: ruleSet(2), scenario: { ...scenario, sampleEveryMs: 1_000 } } });
    expect(tooMany.status).toBe(422);
    expect(tooMany.body.error.errors).toContainEqual(expect.objectContaining({ path: 'scenario.sampleEveryMs' }));
  });

  it('attaches a rule set that watchers see activated and repriced, with explained quotes and a price history', async () => {
    const key = h.merchants.a.key;
    const offerId = await h.createOffer();
    const watcher = await watch(offerId);
    h.clock.advance(2_000);

    const headers = { 'idempotency-key': `attach-${offerId}` };
    const attached = await h.http('PUT', `/v1/offers/${offerId}/rule-set`, { key, headers, body: { ruleSet: ruleSet(2) } });
    expect(attached.status).toBe(200);
    expect(attached.body).toMatchObject({ offerId, ruleSetVersion: 2, effectiveAtMs: h.clock.nowMs, offer: { ruleSetVersion: 2, priceMinor: 750 } });
    const hash = h.server.engine.stateHash();
    const retry = await h.http('PUT', `/v1/offers/${offerId}/rule-set`, { key, headers, body: { ruleSet: ruleSet(2) } });
    expect(retry.status).toBe(200);
    expect(h.server.engine.stateHash()).toBe(hash);
    // Another key with a stale version: the engine refuses it, in the same shape as the gateway's own checks.
    const stale = await h.http('PUT', `/v1/offers/${offerId}/rule-set`, { key, headers: { 'idempotency-key': `stale-${offerId}` }, body: { ruleSet: ruleSet(2) } });
    expect(stale.status).toBe(422);
    expect(stale.body.error.errors).toEqual([expect.objectContaining({ path: 'ruleSet.version' })]);

    await deltaOf(watcher, 'rule_set_activated', (event) => event.version === 2);
    const changed = await deltaOf(watcher, 'price_changed', (event) => event.ruleSetVersion === 2);
    expect(changed.event).toMatchObject({ offerId, priceMinor: 750, previousPriceMinor: 800 });
    expect(sum(changed.event.explanation)).toBe(750);

    const quote = await h.http('GET', `/v1/offers/${offerId}/quote`);
    expect(quote.status).toBe(200);
    expect(quote.body.quote.ruleSetVersion).toBe(2);
    expect(sum(quote.body.quote.explanation)).toBe(quote.body.quote.unitPriceMinor);

    const history = await h.http('GET', `/v1/offers/${offerId}/price-history`, { key });
    expect(history.status).toBe(200);
    expect(history.body.points).toEqual([
      { atMs: START_MS, priceMinor: 800, ruleSetVersion: 1 },
      { atMs: h.clock.nowMs, priceMinor: 750, ruleSetVersion: 2 },
    ]);
    expect(sum(history.body.current.quote.explanation)).toBe(history.body.priceMinor);
    const latest = await h.http('GET', `/v1/offers/${offerId}/price-history?limit=1`, { key });
    expect(latest.body).toMatchObject({ points: [{ priceMinor: 750 }], truncated: true });
    expect((await h.http('GET', `/v1/offers/${offerId}/price-history?limit=0`, { key })).status).toBe(400);
  });

  it('keeps another merchant out, over HTTP and over the socket', async () => {
    const offerId = await h.createOffer();
    const other = h.merchants.b.key;
    const put = await h.http('PUT', `/v1/offers/${offerId}/rule-set`, { key: other, body: { ruleSet: ruleSet(2) } });
    expect(put.status).toBe(403);
    expect(['forbidden', 'not_owner']).toContain(put.body.error.code);
    for (const path of ['rule-sets', 'price-history']) expect((await h.http('GET', `/v1/offers/${offerId}/${path}`, { key: other })).status).toBe(403);
    const socket = await h.merchant('b');
    const answer = await socket.request({ type: 'set_rule_set', offerId, ruleSet: ruleSet(2) });
    expect(answer).toMatchObject({ type: 'error', code: 'forbidden' });
    expect(h.server.engine.offer(offerId)!.ruleSetVersion).toBe(1);
  });

  it('takes set_rule_set over the socket (a kill switch freezes the price) and lists versions and a pending one', async () => {
    const key = h.merchants.a.key;
    const offerId = await h.createOffer();
    const watcher = await watch(offerId);
    h.clock.advance(2_000);
    const merchant = await h.merchant('a');
    const frozen = ruleSet(2, { guardrails: { ...GUARDRAILS, killSwitch: { engaged: true, priceMinor: 900 } } });
    const ack = await merchant.ok({ type: 'set_rule_set', offerId, ruleSet: frozen, idempotencyKey: `kill-${offerId}` });
    expect(ack.result).toMatchObject({ offerId, ruleSetVersion: 2, effectiveAtMs: h.clock.nowMs });
    const changed = await deltaOf(watcher, 'price_changed', (event) => event.ruleSetVersion === 2);
    expect(changed.event.priceMinor).toBe(900);
    expect(changed.event.explanation.map((line: { rule: string }) => line.rule)).toContain('kill_switch');

    const bad = await merchant.request({ type: 'set_rule_set', offerId, ruleSet: ruleSet(2) });
    expect(bad).toMatchObject({ type: 'error', code: 'invalid_settings' });
    expect(bad.message).toContain('ruleSet.version');

    const later = h.clock.nowMs + HOUR;
    const scheduled = await h.http('PUT', `/v1/offers/${offerId}/rule-set`, { key, body: { ruleSet: ruleSet(3), effectiveAtMs: later } });
    expect(scheduled.status).toBe(200);
    expect(scheduled.body).toMatchObject({ ruleSetVersion: 3, effectiveAtMs: later, offer: { ruleSetVersion: 2, pendingRuleSet: { version: 3, effectiveAtMs: later } } });
    const versions = await h.http('GET', `/v1/offers/${offerId}/rule-sets`, { key });
    expect(versions.status).toBe(200);
    expect(versions.body).toMatchObject({ offerId, inForce: 2, pending: { version: 3, effectiveAtMs: later } });
    expect(versions.body.versions.map((entry: { version: number; source: string }) => [entry.version, entry.source])).toEqual([
      [1, 'group_settings'],
      [2, 'merchant'],
    ]);
    expect(versions.body.versions[1].ruleSet.guardrails.killSwitch).toEqual({ engaged: true, priceMinor: 900 });
    expect((await h.http('GET', '/v1/offers/nope/rule-sets', { key })).status).toBe(404);
  });
});
