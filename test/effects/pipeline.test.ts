// The whole path on a real Redis with real BullMQ: engine events → outbox → queues → workers → simulated
// provider. Each test uses its own key prefix on one private redis-server.
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  EffectOutbox,
  EffectQueues,
  EffectWorkers,
  SimulatedPaymentProvider,
  InMemoryWebhookEndpoints,
  type EffectWorkersOptions,
  type RetryPolicy,
  type SimulatedProviderOptions,
} from '../../effects/index.ts';
import { RedisServer } from '../../scripts/lib/redis-server.ts';
import { FAST_POLICY, Market, uniquePrefix, waitForCompletions } from './helpers.ts';

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

interface SetupOptions {
  payments?: Partial<RetryPolicy>;
  provider?: SimulatedProviderOptions;
  workers?: Partial<EffectWorkersOptions>;
  startWorkers?: boolean;
}

async function setup(options: SetupOptions = {}) {
  const prefix = uniquePrefix();
  const settings = { prefix, payments: { ...FAST_POLICY, ...options.payments }, webhooks: FAST_POLICY };
  const queues = await EffectQueues.open(redis.url, { settings });
  cleanups.push(() => queues.close());
  const provider = new SimulatedPaymentProvider(options.provider);
  const endpoints = new InMemoryWebhookEndpoints();
  const startWorkers = async (overrides: Partial<EffectWorkersOptions> = {}) => {
    const workers = await EffectWorkers.start({
      redisUrl: redis.url,
      provider,
      endpoints,
      settings,
      providerTimeoutMs: 500,
      webhookTimeoutMs: 500,
      lockDurationMs: 1_000,
      stalledIntervalMs: 250,
      ...options.workers,
      ...overrides,
    });
    cleanups.push(() => workers.close(true));
    return workers;
  };
  const workers = options.startWorkers === false ? null : await startWorkers();
  // The market's commands feed the first outbox; later ones (restarts) are fed by hand.
  const current: { outbox: EffectOutbox | null } = { outbox: null };
  const market = new Market((seq, events) => current.outbox!.record(seq, events));
  const newOutbox = () => {
    const created = new EffectOutbox({
      sink: queues,
      context: market.context('p0'),
      onError: (error, stage) => {
        if (stage === 'derive') throw error;
      },
    });
    cleanups.push(() => created.close(1_000));
    return created;
  };
  current.outbox = newOutbox();
  return { prefix, queues, provider, market, workers, startWorkers, newOutbox, outbox: () => current.outbox! };
}

/** A group of four that completes: 4 charges, then 4 orders and 3 partial refunds (the last joiner paid the final price). */
function completeGroup(market: Market): void {
  market.createOffer('o1', 'm1');
  market.open('o1', 'alice', 'g1');
  for (const shopper of ['bob', 'carol', 'dave']) market.join('g1', shopper);
  market.settleAll();
}

describe('effects through BullMQ', () => {
  it('a completed group makes exactly one order and one partial refund per member at the provider', async () => {
    const { provider, market, workers } = await setup();
    const done = waitForCompletions(workers!.payments, 11, 10_000);
    completeGroup(market);
    await done;

    expect(provider.appliedCount('charge')).toBe(4);
    expect(provider.appliedCount('createOrder')).toBe(4);
    expect(provider.appliedCount('refund')).toBe(3);
    expect(provider.calls.every((call) => call.outcome === 'applied')).toBe(true);
    for (const shopper of ['alice', 'bob', 'carol', 'dave']) {
      const { chargedMinor, refundedMinor, orderedMinor } = provider.balance(`p0|g1|${shopper}`);
      expect(chargedMinor).toBeGreaterThan(0);
      expect(orderedMinor + refundedMinor).toBe(chargedMinor);
    }
    const orders = provider.appliedEffects().filter((effect) => effect.operation === 'createOrder');
    expect(orders.map((effect) => effect.request.idempotencyKey).sort()).toEqual(['order|p0|6|g1|alice', 'order|p0|6|g1|bob', 'order|p0|6|g1|carol', 'order|p0|6|g1|dave']);
  });

  it('a failed group refunds every member exactly once, after their charge', async () => {
    // strictRefunds: a refund that overtakes its charge is refused and retried, as a real provider would.
    const { provider, market, workers } = await setup({ provider: { strictRefunds: true } });
    const done = waitForCompletions(workers!.payments, 6, 10_000);
    market.createOffer('o1', 'm1', { minSize: 4, tiers: [] });
    market.open('o1', 'alice', 'g1');
    market.join('g1', 'bob');
    market.join('g1', 'carol');
    market.settleAll();
    await done;

    expect(provider.appliedCount('refund')).toBe(3);
    expect(provider.appliedCount('createOrder')).toBe(0);
    for (const shopper of ['alice', 'bob', 'carol']) {
      const balance = provider.balance(`p0|g1|${shopper}`);
      expect(balance.refundedMinor).toBe(balance.chargedMinor);
      expect(balance.chargedMinor).toBe(10_000);
    }
  });

  it('a replay of the same seqs makes no duplicate: ignored in-process, deduplicated by jobId, then by idempotency key', async () => {
    // Completed jobs are kept (count 1 000), so their jobIds stay taken for the second phase.
    const { provider, market, workers, queues, newOutbox, outbox } = await setup({ payments: { keepCompleted: { count: 1_000 } } });
    const done = waitForCompletions(workers!.payments, 11, 10_000);
    completeGroup(market);
    await done;
    const callsBefore = provider.calls.length;

    // The same outbox ignores seqs it has recorded.
    for (const { seq, events } of market.history) outbox().record(seq, events);
    expect(outbox().stats().repeatedSeqs).toBe(market.history.length);

    // A new outbox (a restarted process replaying its journal) adds the same jobIds: BullMQ ignores them.
    const replayed = newOutbox();
    for (const { seq, events } of market.history) replayed.record(seq, events);
    await replayed.flush();
    expect(replayed.stats().enqueuedEffects).toBe(11);
    expect((await queues.payments.getJobCounts('completed')).completed).toBe(11);
    expect(await queues.payments.count()).toBe(0);
    expect(provider.calls.length).toBe(callsBefore);

    // Once the jobs are gone from Redis, a replay runs them again, and the provider's keys absorb it.
    await queues.payments.clean(0, 1_000, 'completed');
    const again = waitForCompletions(workers!.payments, 11, 10_000);
    const third = newOutbox();
    for (const { seq, events } of market.history) third.record(seq, events);
    await again;
    expect(provider.calls.length).toBe(callsBefore + 11);
    expect(provider.calls.slice(callsBefore).every((call) => call.outcome === 'replayed')).toBe(true);
    expect(provider.appliedCount()).toBe(11);
  });

  it('a call that times out after applying is retried and applies once', async () => {
    const { provider, market, workers } = await setup();
    provider.faultNext(1, 'timeout', 'createOrder');
    provider.faultNext(1, 'fail', 'refund');
    const done = waitForCompletions(workers!.payments, 11, 10_000);
    completeGroup(market);
    await done;

    const timedOut = provider.calls.find((call) => call.outcome === 'timeout')!;
    expect(provider.callsFor(timedOut.idempotencyKey).map((call) => call.outcome)).toEqual(['timeout', 'replayed']);
    expect(provider.appliedCount('createOrder')).toBe(4);
    expect(provider.appliedCount('refund')).toBe(3);
  });

  it('a worker that dies mid-job leaves the job to another worker; the provider still applies it once', async () => {
    const { provider, market, startWorkers } = await setup({ startWorkers: false });
    // The first worker takes the first charge, which the provider applies and then never answers.
    provider.faultNext(1, 'timeout', 'charge');
    const first = await startWorkers({ concurrency: { payments: 1, webhooks: 1 }, providerTimeoutMs: 900 });
    const inDoubt = provider.waitFor(() => provider.calls.some((call) => call.outcome === 'timeout'), 10_000, 'the first charge to hang');
    market.createOffer('o1', 'm1');
    market.open('o1', 'alice', 'g1');
    await inDoubt;
    // Dies mid-job: no lock renewal, no result written. The lock expires; the second worker's stalled check
    // puts the job back and runs it.
    await first.close(true);
    const second = await startWorkers();
    await waitForCompletions(second.payments, 1, 10_000, 'the stalled charge to run again');

    expect(provider.callsFor('charge|p0|2|g1|alice').map((call) => call.outcome)).toEqual(['timeout', 'replayed']);
    expect(provider.appliedCount('charge')).toBe(1);
    expect(provider.balance('p0|g1|alice').chargedMinor).toBe(9_000);
  });

  it('a job that stalls more often than allowed is failed by BullMQ and still dead-lettered', async () => {
    const { provider, market, startWorkers } = await setup({ startWorkers: false, workers: { maxStalledCount: 0 } });
    provider.faultNext(1, 'hang', 'charge');
    const first = await startWorkers({ concurrency: { payments: 1, webhooks: 1 }, providerTimeoutMs: 900 });
    const hung = provider.waitFor(() => provider.calls.length > 0, 10_000, 'the first charge to hang');
    market.createOffer('o1', 'm1');
    market.open('o1', 'alice', 'g1');
    await hung;
    await first.close(true);
    const second = await startWorkers();
    const failed = new Promise<Error>((resolve) => second.payments.once('failed', (_job, error) => resolve(error)));
    expect((await failed).message).toContain('stalled');
    const letters = await second.deadLetters.list('payments');
    expect(letters.map((letter) => letter.effectId)).toEqual(['charge|p0|2|g1|alice']);
    // The hung call applied nothing, so nothing was charged: the dead letter is the only trace, as it should be.
    expect(provider.appliedCount()).toBe(0);
  });

  it('a refusal is not retried and lands in the payments dead letters', async () => {
    const { provider, market, workers } = await setup();
    provider.faultKey('charge|p0|2|g1|alice', 'reject');
    const failed = new Promise<string>((resolve) => workers!.payments.once('failed', (job) => resolve(job?.id ?? '')));
    market.createOffer('o1', 'm1');
    market.open('o1', 'alice', 'g1');
    expect(await failed).toBe('charge|p0|2|g1|alice');
    expect(provider.callsFor('charge|p0|2|g1|alice').map((call) => call.outcome)).toEqual(['reject']);
    const letters = await workers!.deadLetters.list('payments');
    expect(letters.map((letter) => [letter.effectId, letter.attemptsMade])).toEqual([['charge|p0|2|g1|alice', 1]]);
  });
});
