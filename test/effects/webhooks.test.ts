// Merchant webhooks: signatures, delivery over loopback HTTP, retries into the dead letters, redelivery, and
// that finished jobs do not pile up in Redis.
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  DeadLetterAdmin,
  EffectOutbox,
  EffectQueues,
  EffectWorkers,
  InMemoryWebhookEndpoints,
  SimulatedPaymentProvider,
  signWebhook,
  verifyWebhook,
  SIGNATURE_HEADER,
  WEBHOOK_ID_HEADER,
} from '../../effects/index.ts';
import { RedisServer } from '../../scripts/lib/redis-server.ts';
import { FAST_POLICY, Market, uniquePrefix, waitForCompletions, WebhookReceiver } from './helpers.ts';

const SECRET = 'whsec_test_0123456789';

describe('webhook signatures', () => {
  const body = JSON.stringify({ id: 'webhook|p0|6|group_completed|g1', type: 'group_completed' });
  const nowMs = 1_700_000_000_000;

  it('verifies what was signed, with the secret it was signed with', () => {
    const header = signWebhook(body, SECRET, nowMs);
    expect(header).toMatch(/^t=1700000000000,v1=[0-9a-f]{64}$/);
    expect(verifyWebhook(header, body, SECRET, { nowMs: nowMs + 1_000 })).toEqual({ ok: true, timestampMs: nowMs });
    expect(verifyWebhook(header, Buffer.from(body), [SECRET], { nowMs })).toEqual({ ok: true, timestampMs: nowMs });
  });

  it('refuses a tampered body, a wrong secret, a forged timestamp, an old delivery and junk', () => {
    const header = signWebhook(body, SECRET, nowMs);
    expect(verifyWebhook(header, body.replace('g1', 'g2'), SECRET, { nowMs })).toEqual({ ok: false, reason: 'signature_mismatch' });
    expect(verifyWebhook(header, body, 'another-secret', { nowMs })).toEqual({ ok: false, reason: 'signature_mismatch' });
    expect(verifyWebhook(header.replace(`t=${nowMs}`, `t=${nowMs + 1}`), body, SECRET, { nowMs })).toEqual({ ok: false, reason: 'signature_mismatch' });
    expect(verifyWebhook(header, body, SECRET, { nowMs: nowMs + 10 * 60_000 })).toEqual({ ok: false, reason: 'timestamp_out_of_tolerance' });
    expect(verifyWebhook(undefined, body, SECRET, { nowMs })).toEqual({ ok: false, reason: 'missing_header' });
    expect(verifyWebhook('t=abc,v1=zz', body, SECRET, { nowMs })).toEqual({ ok: false, reason: 'malformed_header' });
  });

  it('carries one signature per secret while a merchant rotates', () => {
    const header = signWebhook(body, ['new-secret', SECRET], nowMs);
    expect(header.split(',')).toHaveLength(3);
    expect(verifyWebhook(header, body, SECRET, { nowMs }).ok).toBe(true);
    expect(verifyWebhook(header, body, 'new-secret', { nowMs }).ok).toBe(true);
  });
});

describe('webhook delivery', () => {
  let redis: RedisServer;
  const cleanups: (() => Promise<unknown>)[] = [];

  beforeAll(async () => {
    redis = await RedisServer.start();
  });

  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  afterAll(async () => {
    await redis?.destroy();
  });

  async function setup() {
    const prefix = uniquePrefix();
    const settings = { prefix, payments: FAST_POLICY, webhooks: FAST_POLICY };
    const receiver = await WebhookReceiver.start();
    cleanups.push(() => receiver.close());
    const endpoints = new InMemoryWebhookEndpoints();
    endpoints.set('m1', { url: receiver.url, secrets: [SECRET] });
    const queues = await EffectQueues.open(redis.url, { settings });
    cleanups.push(() => queues.close());
    const provider = new SimulatedPaymentProvider();
    const workers = await EffectWorkers.start({ redisUrl: redis.url, provider, endpoints, settings, providerTimeoutMs: 500, webhookTimeoutMs: 500, lockDurationMs: 1_000 });
    cleanups.push(() => workers.close(true));
    let outbox: EffectOutbox | null = null;
    const market = new Market((seq, events) => outbox!.record(seq, events));
    outbox = new EffectOutbox({
      sink: queues,
      context: market.context('p0', new Set(['m1'])),
      onError: (error, stage) => {
        if (stage === 'derive') throw error;
        console.error(stage, error);
      },
    });
    cleanups.push(() => outbox.close(1_000));
    const admin = new DeadLetterAdmin(workers.deadLetters, queues);
    return { prefix, receiver, queues, workers, market, admin, outbox, provider };
  }

  it('POSTs a signed payload the receiver can verify, with the effect id as webhook id', async () => {
    const { receiver, market } = await setup();
    market.createOffer('o1', 'm1');
    market.send({ type: 'close_offer', offerId: 'o1', merchantId: 'm1' });
    await receiver.waitForRequests(1, 10_000);

    const [delivery] = receiver.received;
    expect(delivery!.headers[WEBHOOK_ID_HEADER]).toBe('webhook|p0|2|offer_closed|o1');
    expect(verifyWebhook(delivery!.headers[SIGNATURE_HEADER] as string, delivery!.body, SECRET, { nowMs: Date.now() })).toMatchObject({ ok: true });
    expect(JSON.parse(delivery!.body)).toMatchObject({ id: 'webhook|p0|2|offer_closed|o1', type: 'offer_closed', merchantId: 'm1', offerId: 'o1', data: { reason: 'merchant' } });
    const tampered = delivery!.body.replace('"merchant"', '"ended"');
    expect(verifyWebhook(delivery!.headers[SIGNATURE_HEADER] as string, tampered, SECRET, { nowMs: Date.now() })).toEqual({ ok: false, reason: 'signature_mismatch' });
  });

  it('retries a receiver that answers 500, then dead-letters it; a redelivery keeps the webhook id', async () => {
    const { receiver, market, workers, admin } = await setup();
    receiver.respond = () => 500;
    const failedForGood = new Promise<void>((resolve) => {
      workers.webhooks.on('failed', (job) => {
        if (job !== undefined && job.attemptsMade >= FAST_POLICY.attempts) resolve();
      });
    });
    market.createOffer('o1', 'm1');
    market.send({ type: 'close_offer', offerId: 'o1', merchantId: 'm1' });
    await failedForGood;

    expect(receiver.received.map((request) => request.status)).toEqual([500, 500, 500, 500]);
    expect(new Set(receiver.received.map((request) => request.headers[WEBHOOK_ID_HEADER])).size).toBe(1);
    const letters = await admin.deadLetters('m1');
    expect(letters).toHaveLength(1);
    expect(letters[0]).toMatchObject({ effectId: 'webhook|p0|2|offer_closed|o1', owner: 'merchant:m1', attemptsMade: 4, lastError: expect.stringContaining('HTTP 500') });
    expect(await admin.deadLetters('m2')).toEqual([]);

    receiver.respond = () => 200;
    const delivered = waitForCompletions(workers.webhooks, 1, 10_000, 'the redelivery');
    expect(await admin.redeliver('m1', 'webhook|p0|2|offer_closed|o1')).toBe(true);
    await delivered;
    expect(receiver.received).toHaveLength(5);
    expect(receiver.received[4]!.headers[WEBHOOK_ID_HEADER]).toBe('webhook|p0|2|offer_closed|o1');
    expect(await admin.deadLetters('m1')).toEqual([]);
    expect(await admin.redeliver('m1', 'webhook|p0|2|offer_closed|o1')).toBe(false);
  });

  it('removes finished jobs: Redis holds a bounded number of keys however many effects ran', async () => {
    const { prefix, receiver, market, workers, queues } = await setup();
    const groups = 40;
    // Per group: 3 charges, 3 orders (everyone was quoted the final price: no refunds), and one webhook.
    const payments = waitForCompletions(workers.payments, groups * 6, 20_000, 'every payment');
    // Completions, not receipts: a job is removed only once its worker has the answer, which may come after the
    // receiver has seen the request.
    const webhooks = waitForCompletions(workers.webhooks, groups, 20_000, 'every webhook');
    market.createOffer('o1', 'm1');
    for (let g = 0; g < groups; g++) {
      market.open('o1', `a${g}`, `g${g}`);
      market.join(`g${g}`, `b${g}`);
      market.join(`g${g}`, `c${g}`);
    }
    market.settleAll();
    await Promise.all([payments, webhooks]);
    expect(new Set(receiver.received.map((request) => request.headers[WEBHOOK_ID_HEADER])).size).toBe(groups);

    const counts = await queues.payments.getJobCounts('completed', 'failed', 'wait', 'active', 'delayed');
    expect(counts).toEqual({ completed: 0, failed: 0, wait: 0, active: 0, delayed: 0 });
    const client = new Redis(redis.url);
    try {
      const keys = await client.keys(`${prefix}*`);
      // Queue metadata, id counters, event streams and markers only: no per-job key survives.
      expect(keys.filter((key) => /\|/.test(key))).toEqual([]);
      expect(keys.length).toBeLessThan(20);
      const events = await client.xlen(`${prefix}:payments:events`);
      expect(events).toBeLessThanOrEqual(10_000 + 100);
    } finally {
      client.disconnect();
    }
  });
});
