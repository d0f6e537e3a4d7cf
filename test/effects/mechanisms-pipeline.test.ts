// Auctions and reservations through the whole effects path on a real Redis with real BullMQ: engine events →
// outbox → queues → workers → simulated provider and signed merchant webhooks. At least once in, once in effect:
// every event is enqueued twice (the second time after its jobs are gone, as a journal replay after a crash
// would), with faults on the way, and the provider still applies each order, charge, hold and release once.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  EffectOutbox,
  EffectQueues,
  EffectWorkers,
  InMemoryWebhookEndpoints,
  SimulatedPaymentProvider,
  verifyWebhook,
  SIGNATURE_HEADER,
  WEBHOOK_ID_HEADER,
  WEBHOOK_EVENT_HEADER,
} from '../../effects/index.ts';
import { RedisServer } from '../../scripts/lib/redis-server.ts';
import { FAST_POLICY, Market, uniquePrefix, waitForCompletions, WebhookReceiver } from './helpers.ts';

const SECRET = 'whsec_mechanisms_0123456789';

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
  // More attempts than FAST_POLICY: a deposit release may be refused (transiently) until its hold lands.
  const settings = { prefix: uniquePrefix(), payments: { ...FAST_POLICY, attempts: 12 }, webhooks: FAST_POLICY };
  const receiver = await WebhookReceiver.start();
  cleanups.push(() => receiver.close());
  const endpoints = new InMemoryWebhookEndpoints();
  endpoints.set('m1', { url: receiver.url, secrets: [SECRET] });
  endpoints.set('m2', { url: receiver.url, secrets: [SECRET] });
  const queues = await EffectQueues.open(redis.url, { settings });
  cleanups.push(() => queues.close());
  // strictRefunds: a release that overtakes its hold is refused and retried, as a real provider would.
  const provider = new SimulatedPaymentProvider({ strictRefunds: true });
  const workers = await EffectWorkers.start({ redisUrl: redis.url, provider, endpoints, settings, providerTimeoutMs: 500, webhookTimeoutMs: 2_000, lockDurationMs: 5_000 });
  cleanups.push(() => workers.close(true));
  const newOutbox = (context: ReturnType<Market['context']>) => {
    const outbox = new EffectOutbox({
      sink: queues,
      context,
      onError: (error, stage) => {
        if (stage === 'derive') throw error;
      },
    });
    cleanups.push(() => outbox.close(1_000));
    return outbox;
  };
  const holder: { outbox: EffectOutbox | null } = { outbox: null };
  const market = new Market((seq, events) => holder.outbox!.record(seq, events));
  const context = market.context('p0', new Set(['m1', 'm2']));
  holder.outbox = newOutbox(context);
  return { provider, receiver, workers, market, outbox: holder.outbox, replay: () => newOutbox(context) };
}

const ORDERS = ['order|p0|lot/alice', 'order|p0|lot/bob'];
const RENTAL = 'bike~h1';
const MONEY_KEYS = [...ORDERS, `charge|p0|${RENTAL}`, `deposit_hold|p0|${RENTAL}`, `deposit_release|p0|${RENTAL}`];
const WEBHOOK_IDS = ['webhook|p0|auction_closed|lot', 'webhook|p0|9|offer_closed|lot', `webhook|p0|rental_started|${RENTAL}`, `webhook|p0|rental_ended|${RENTAL}`];

describe('auction and reservation effects through BullMQ', () => {
  it('two uniform-price winners get one order each, a rental one charge, one deposit hold and one release, even enqueued twice', async () => {
    const { provider, receiver, workers, market, outbox, replay } = await setup();
    // The first order is applied and its answer lost (the worker retries; the key absorbs it); the deposit hold
    // fails twice before it lands, so its release may come first and be refused until it does.
    provider.faultKey(ORDERS[0]!, 'timeout');
    provider.faultKey(`deposit_hold|p0|${RENTAL}`, 'fail', 2);
    const payments = waitForCompletions(workers.payments, MONEY_KEYS.length, 20_000, 'every payment effect');
    const webhooks = waitForCompletions(workers.webhooks, WEBHOOK_IDS.length, 20_000, 'every webhook');

    // A uniform auction of two units: alice and bob win, carol's bid sets the price both pay.
    market.createAuction('lot', 'm1', 'uniform', 2);
    market.bid('lot', 'alice', 3_000);
    market.bid('lot', 'bob', 2_500);
    market.bid('lot', 'carol', 2_000);
    market.createReservation('bike', 'm2', 'queue', 20_000);
    const rentalId = market.rent('bike', 'dave');
    market.nowMs += 30_000;
    market.send({ type: 'return_unit', offerId: 'bike', shopperId: 'dave', rentalId });
    market.settleAll();
    expect(rentalId).toBe(RENTAL);
    expect(market.history.map(({ seq, events }) => [seq, events.map((event) => event.type).join(',')]).slice(-1)).toEqual([[9, 'auction_closed,offer_closed,stock_changed']]);
    await Promise.all([payments, webhooks]);

    const once = () => {
      expect(provider.appliedCount('createOrder')).toBe(2);
      expect(provider.appliedCount('charge')).toBe(1);
      expect(provider.appliedCount('holdDeposit')).toBe(1);
      expect(provider.appliedCount('releaseDeposit')).toBe(1);
      expect(provider.appliedCount()).toBe(5);
      expect(provider.appliedEffects().map((effect) => effect.request.idempotencyKey).sort()).toEqual([...MONEY_KEYS].sort());
      for (const shopper of ['alice', 'bob']) {
        expect(provider.balance(`p0|lot/${shopper}`)).toEqual({ chargedMinor: 2_000, orderedMinor: 2_000, refundedMinor: 0, depositHeldMinor: 0, depositReleasedMinor: 0 });
      }
      expect(provider.balance('p0|lot/carol')).toEqual({ chargedMinor: 0, orderedMinor: 0, refundedMinor: 0, depositHeldMinor: 0, depositReleasedMinor: 0 });
      expect(provider.balance(`p0|${RENTAL}`)).toEqual({ chargedMinor: 500, orderedMinor: 0, refundedMinor: 0, depositHeldMinor: 20_000, depositReleasedMinor: 20_000 });
    };
    once();
    expect(provider.callsFor(ORDERS[0]!).map((call) => call.outcome)).toEqual(['timeout', 'replayed']);
    expect(provider.callsFor(`deposit_hold|p0|${RENTAL}`).map((call) => call.outcome)).toEqual(['fail', 'fail', 'applied']);
    const callsBefore = provider.calls.length;

    // The same outbox ignores seqs it has recorded; a new one (a restarted process replaying its journal) enqueues
    // them all again. Their jobs are gone (FAST_POLICY keeps no completed job), so every one runs again.
    for (const { seq, events } of market.history) outbox.record(seq, events);
    expect(outbox.stats().repeatedSeqs).toBe(market.history.length);
    const paymentsAgain = waitForCompletions(workers.payments, MONEY_KEYS.length, 20_000, 'every payment effect again');
    const webhooksAgain = waitForCompletions(workers.webhooks, WEBHOOK_IDS.length, 20_000, 'every webhook again');
    const second = replay();
    for (const { seq, events } of market.history) second.record(seq, events);
    await second.flush();
    expect(second.stats().enqueuedEffects).toBe(MONEY_KEYS.length + WEBHOOK_IDS.length);
    await Promise.all([paymentsAgain, webhooksAgain]);

    // The provider saw every effect a second time and applied none of them again.
    const repeated = provider.calls.slice(callsBefore);
    expect(repeated.map((call) => call.idempotencyKey).sort()).toEqual([...MONEY_KEYS].sort());
    expect(repeated.every((call) => call.outcome === 'replayed')).toBe(true);
    once();

    // Every webhook came twice with the same id (merchants drop the repeat by it), each signed with the merchant's
    // secret over its exact body, and naming its event type.
    const byId = new Map<string, number>();
    for (const request of receiver.received) {
      const id = String(request.headers[WEBHOOK_ID_HEADER]);
      byId.set(id, (byId.get(id) ?? 0) + 1);
      const check = verifyWebhook(request.headers[SIGNATURE_HEADER] as string, request.body, SECRET, { nowMs: Date.now() });
      expect(check.ok, id).toBe(true);
      const payload = JSON.parse(request.body) as { id: string; type: string };
      expect(payload.id).toBe(id);
      expect(request.headers[WEBHOOK_EVENT_HEADER]).toBe(payload.type);
    }
    expect([...byId.keys()].sort()).toEqual([...WEBHOOK_IDS].sort());
    expect([...byId.values()].every((count) => count >= 2)).toBe(true);
    const closed = receiver.received.find((request) => request.headers[WEBHOOK_ID_HEADER] === WEBHOOK_IDS[0])!;
    expect(JSON.parse(closed.body)).toMatchObject({
      type: 'auction_closed',
      merchantId: 'm1',
      offerId: 'lot',
      data: { kind: 'uniform', clearingPriceMinor: 2_000, unitsSold: 2, winners: [{ shopperId: 'alice', orderId: 'lot/alice', paidMinor: 2_000 }, { shopperId: 'bob', orderId: 'lot/bob', paidMinor: 2_000 }] },
    });
  });

  it('a declined deposit hold is not retried and lands in the payments dead letters; the charge still goes through', async () => {
    const { provider, workers, market } = await setup();
    provider.faultKey(`deposit_hold|p0|${RENTAL}`, 'reject');
    const failed = new Promise<string>((resolve) => workers.payments.once('failed', (job) => resolve(job?.id ?? '')));
    const charged = waitForCompletions(workers.payments, 1, 20_000, 'the rental charge');
    market.createReservation('bike', 'm2', 'queue', 20_000);
    market.rent('bike', 'dave');
    expect(await failed).toBe(`deposit_hold|p0|${RENTAL}`);
    await charged;
    const letters = await workers.deadLetters.list('payments');
    expect(letters.map((letter) => [letter.effectId, letter.effect.kind, letter.attemptsMade])).toEqual([[`deposit_hold|p0|${RENTAL}`, 'deposit_hold', 1]]);
    expect(provider.balance(`p0|${RENTAL}`)).toMatchObject({ chargedMinor: 500, depositHeldMinor: 0 });
  });
});
