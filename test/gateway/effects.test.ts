// The effects subsystem wired into the running server, on a private redis-server: a group run over the HTTP and
// WebSocket API ends in exactly one order per member at the (simulated) payment provider and a refund for a
// failed group; merchant webhooks that fail for good show in the merchant's dead letters and can be redelivered;
// and commands acknowledged whose effects never left the process are delivered, once, after a restart.
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { SimulatedPaymentProvider } from '../../effects/index.ts';
import { bootServer, type BootedServer } from '../../server/boot.ts';
import { createLogger } from '../../gateway/logger.ts';
import { generateMerchantKey, parseMerchantKeyRecords } from '../../gateway/merchant-keys.ts';
import { startServer } from '../../server/index.ts';
import { mintShopperToken } from '../../gateway/shopper-tokens.ts';
import { openPersistence, snapshotKeys, type SnapshotStore } from '../../persistence/index.ts';
import { FAST_POLICY, WebhookReceiver, uniquePrefix } from '../effects/helpers.ts';
import { RedisServer } from '../../scripts/lib/redis-server.ts';
import { ManualClock, TOKEN_SECRET, startHarness } from './helpers/harness.ts';
import { TestClient } from './helpers/ws-client.ts';

const WAIT_MS = 15_000;
const merchantA = generateMerchantKey('merchant-a');
const merchantB = generateMerchantKey('merchant-b');
const merchantKeys = () => parseMerchantKeyRecords(`${merchantA.record},${merchantB.record}`);
const logger = createLogger('silent');
const CONFIG = { port: 0, host: '127.0.0.1', logLevel: 'silent', tokenSecret: TOKEN_SECRET, presenceIntervalMs: 20, snapshotEveryEntries: 0, snapshotEveryMs: 0 } as const;
const MECHANISM = { type: 'group', minSize: 3, maxSize: 3, windowMs: 60_000, tiers: [{ minSize: 3, priceMinor: 800 }] };

let redis: RedisServer;
const cleanups: (() => Promise<unknown>)[] = [];

beforeAll(async () => {
  redis = await RedisServer.start();
});
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
});
afterAll(async () => {
  await redis?.destroy();
});

/** A journal key prefix and an effects queue prefix of their own, so tests never see each other's data. */
function prefixes(): { journal: string; effects: string } {
  return { journal: `{tuan-test-${randomBytes(4).toString('hex')}}:`, effects: uniquePrefix() };
}

async function boot(keys: { journal: string; effects: string }, provider: SimulatedPaymentProvider, clock: ManualClock): Promise<BootedServer> {
  const booted = await bootServer({
    env: { REDIS_URL: redis.url, REDIS_KEY_PREFIX: keys.journal },
    config: CONFIG,
    merchantKeys: merchantKeys(),
    logger,
    provider,
    clock: clock.now,
    effectsSettings: { prefix: keys.effects, payments: FAST_POLICY, webhooks: FAST_POLICY },
  });
  cleanups.push(() => booted.close());
  return booted;
}

async function http(baseUrl: string, method: string, path: string, key: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { authorization: `Bearer ${key}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${baseUrl}${path}`, { method, headers, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

async function shopper(wsUrl: string, clock: ManualClock, shopperId: string): Promise<TestClient> {
  const client = await TestClient.connect(wsUrl);
  cleanups.push(async () => client.terminate());
  await client.ok({ type: 'authenticate', token: mintShopperToken(TOKEN_SECRET, { shopperId, newcomer: false, ttlS: 3_600 }, clock.now()) });
  return client;
}

/**
 * Offers o1 and o2 over HTTP; alice opens a group in o1 that bob and carol fill (it completes), dave opens one in
 * o2 that nobody joins (it fails at its deadline). Returns the two group ids.
 */
async function runGroups(httpUrl: string, wsUrl: string, clock: ManualClock, wake: () => Promise<unknown>): Promise<{ completed: string; failed: string }> {
  for (const offerId of ['o1', 'o2']) {
    const created = await http(httpUrl, 'POST', '/v1/offers', merchantA.apiKey, { offerId, title: 'Tea', currency: 'CNY', inventory: 100, basePriceMinor: 1_000, mechanism: MECHANISM });
    expect(created.status).toBe(201);
  }
  const [alice, bob, carol, dave] = await Promise.all(['alice', 'bob', 'carol', 'dave'].map((id) => shopper(wsUrl, clock, id)));
  const opened = await alice!.ok({ type: 'open_group', offerId: 'o1' });
  const completed = String((opened.result as { groupId: string }).groupId);
  await bob!.ok({ type: 'join_group', groupId: completed });
  await carol!.ok({ type: 'join_group', groupId: completed });
  const failed = String(((await dave!.ok({ type: 'open_group', offerId: 'o2' })).result as { groupId: string }).groupId);
  // Past every deadline: the full group settles (if it has not already), dave's fails.
  clock.advance(61_000);
  await wake();
  return { completed, failed };
}

/** Waits until the provider's books balance for every member (charged = ordered + refunded, each key once). */
async function expectSettled(provider: SimulatedPaymentProvider, groups: { completed: string; failed: string }): Promise<void> {
  const members = [
    ...['alice', 'bob', 'carol'].map((s) => ({ shopperId: s, ref: `p0|${groups.completed}|${s}`, ordered: true })),
    { shopperId: 'dave', ref: `p0|${groups.failed}|dave`, ordered: false },
  ];
  const balanced = () =>
    members.every(({ ref, ordered }) => {
      const b = provider.balance(ref);
      return b.chargedMinor > 0 && (ordered ? b.orderedMinor > 0 : b.orderedMinor === 0) && b.chargedMinor === b.orderedMinor + b.refundedMinor;
    });
  await provider.waitFor(balanced, WAIT_MS, 'every member charged, ordered or refunded');
  for (const { ref, ordered } of members) {
    const applied = provider.calls.filter((call) => call.paymentRef === ref && call.outcome === 'applied');
    expect(applied.filter((call) => call.operation === 'charge')).toHaveLength(1);
    expect(applied.filter((call) => call.operation === 'createOrder')).toHaveLength(ordered ? 1 : 0);
  }
  const dave = provider.balance(`p0|${groups.failed}|dave`);
  expect(dave.refundedMinor).toBe(dave.chargedMinor);
}

describe('effects in the running server (Redis)', () => {
  it('runs a group to completion over the API: one order per member, a refund for the failed group, webhook dead letters', async () => {
    const keys = prefixes();
    const provider = new SimulatedPaymentProvider({ strictRefunds: true });
    const clock = new ManualClock();
    const booted = await boot(keys, provider, clock);
    const { server } = booted;

    // Merchant A's endpoint refuses for good (410): both webhooks land in its dead letters at once.
    const receiver = await WebhookReceiver.start();
    cleanups.push(() => receiver.close());
    receiver.respond = () => 410;
    const set = await http(server.httpUrl, 'PUT', '/v1/webhook-endpoint', merchantA.apiKey, { url: receiver.url, secrets: ['a-signing-secret-0123456789'] });
    expect(set.status).toBe(200);
    const deadLettered = new Promise<void>((resolve) => {
      let failures = 0;
      booted.effects!.workers!.webhooks.on('failed', () => {
        if (++failures === 2) resolve();
      });
    });

    const groups = await runGroups(server.httpUrl, server.wsUrl, clock, () => server.sequencer.wake());
    await expectSettled(provider, groups);
    await deadLettered;

    const listed = await http(server.httpUrl, 'GET', '/v1/dead-letters', merchantA.apiKey);
    expect(listed.status).toBe(200);
    const letters = listed.body.deadLetters as { effectId: string; effect: { payload: { type: string } } }[];
    expect(letters.map((letter) => letter.effectId.split('|')[3]).sort()).toEqual(['group_completed', 'group_failed']);
    expect((await http(server.httpUrl, 'GET', '/v1/dead-letters', merchantB.apiKey)).body.deadLetters).toEqual([]);

    // Another merchant cannot redeliver A's letter; A can, and the receiver (now healthy) gets it.
    const id = encodeURIComponent(letters[0]!.effectId);
    expect((await http(server.httpUrl, 'POST', `/v1/dead-letters/${id}/redeliver`, merchantB.apiKey)).status).toBe(404);
    receiver.respond = () => 200;
    const before = receiver.received.length;
    expect((await http(server.httpUrl, 'POST', `/v1/dead-letters/${id}/redeliver`, merchantA.apiKey)).status).toBe(200);
    await receiver.waitForRequests(before + 1, WAIT_MS);
    expect(receiver.received.at(-1)!.headers['tuan-webhook-id']).toBe(letters[0]!.effectId);
    expect(((await http(server.httpUrl, 'GET', '/v1/dead-letters', merchantA.apiKey)).body.deadLetters as unknown[]).length).toBe(1);

    const metrics = await (await fetch(`${server.httpUrl}/metrics`)).text();
    expect(metrics).toMatch(/tuan_effects_outbox_depth \d+/);
    expect(metrics).toMatch(/tuan_effects_enqueued [1-9]\d*/);
  });

  it('delivers, exactly once, effects of acknowledged commands that never left the process before a crash', async () => {
    const keys = prefixes();
    const clock = new ManualClock();
    // The first life: commands are journaled and acknowledged, but no effect is recorded (as if the process died
    // with its outbox still in memory), and no snapshot is saved (the crash came before any), so the whole
    // journal is the tail a restart replays.
    const persistence = await openPersistence({ kind: 'redis', url: redis.url, keyPrefix: keys.journal });
    const noSnapshots: SnapshotStore = {
      save: () => Promise.reject(new Error('the process crashed before this snapshot')),
      load: (slot) => persistence.snapshots.load(slot),
      list: () => persistence.snapshots.list(),
      close: () => persistence.snapshots.close(),
    };
    const first = await startServer({ config: CONFIG, merchantKeys: merchantKeys(), logger, clock: clock.now, persistence: { journal: persistence.journal, snapshots: noSnapshots } });
    const groups = await runGroups(first.httpUrl, first.wsUrl, clock, () => first.sequencer.wake());
    const ackedSeq = first.sequencer.appliedSeq;
    await first.close();
    await persistence.close();
    expect(first.checkpointer!.written).toBe(0);

    // The restart replays the journal and records every replayed entry: the provider sees each effect once.
    const provider = new SimulatedPaymentProvider({ strictRefunds: true });
    const second = await boot(keys, provider, clock);
    expect(second.recovered.replayed).toBe(ackedSeq);
    await expectSettled(provider, groups);
    await second.close();

    // Another start replays the same tail and records it again. The second life's shutdown snapshot would leave
    // nothing to replay, so it is dropped first (this test's keys only), as if it had been lost.
    const admin = await openPersistence({ kind: 'redis', url: redis.url, keyPrefix: keys.journal });
    await admin.redisClients[0]!.del(...Object.values(snapshotKeys(keys.journal)));
    await admin.close();
    // These test queues keep no completed jobs, so BullMQ runs every payment job again: the provider answers
    // each from its idempotency key and applies nothing twice.
    const appliedBefore = provider.calls.filter((call) => call.outcome === 'applied').length;
    const third = await boot(keys, provider, clock);
    expect(third.recovered.replayed).toBe(ackedSeq);
    await provider.waitFor(() => provider.calls.filter((call) => call.outcome === 'replayed').length >= appliedBefore, WAIT_MS, 'every payment effect replayed');
    expect(provider.calls.filter((call) => call.outcome === 'applied')).toHaveLength(appliedBefore);
    await expectSettled(provider, groups);
  });
});

describe('effects without Redis', () => {
  it('answers the effects routes with unavailable, naming the reason', async () => {
    const h = await startHarness();
    cleanups.push(() => h.close());
    const answer = await h.http('GET', '/v1/dead-letters', { key: h.merchants.a.key });
    expect(answer.status).toBe(503);
    expect(String((answer.body.error as { message: string }).message)).toContain('REDIS_URL');
    expect((await h.http('GET', '/v1/dead-letters')).status).toBe(401);
  });
});
