// The outbox's own contract, against a sink the test controls: batching per event-loop turn, ordering,
// flushedThroughSeq, the bound, retries after a failed batch, flush timeouts and close. Then the same through a
// real Redis that is killed and restarted under it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EffectOutbox,
  EffectQueues,
  EffectWorkers,
  InMemoryWebhookEndpoints,
  OutboxClosedError,
  OutboxFailedError,
  OutboxFlushTimeoutError,
  SimulatedPaymentProvider,
  type EffectSink,
  type EffectSpec,
} from '../../effects/index.ts';
import type { EngineEvent } from '../../engine/index.ts';
import { RedisServer } from '../../scripts/lib/redis-server.ts';
import { FAST_POLICY, Market, uniquePrefix, waitForCompletions } from './helpers.ts';

/** A sink whose answers the test decides: resolve at once, fail, or hold until released. */
class ScriptedSink implements EffectSink {
  readonly batches: EffectSpec[][] = [];
  mode: 'ok' | 'fail' | 'hold' = 'ok';
  private held: (() => void)[] = [];
  private waiters: { count: number; resolve: () => void }[] = [];

  addBatch(effects: readonly EffectSpec[]): Promise<void> {
    this.batches.push([...effects]);
    for (const waiter of this.waiters.filter((w) => this.batches.length >= w.count)) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve();
    }
    if (this.mode === 'fail') return Promise.reject(new Error('Redis is away'));
    if (this.mode === 'hold') return new Promise((resolve) => this.held.push(resolve));
    return Promise.resolve();
  }

  release(): void {
    for (const resolve of this.held.splice(0)) resolve();
  }

  /** Resolves once `count` batches have been offered in all. */
  batchesOffered(count: number): Promise<void> {
    if (this.batches.length >= count) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ count, resolve }));
  }
}

function scripted(options: { maxPendingEffects?: number; maxBatchEffects?: number; startSeq?: number } = {}) {
  const sink = new ScriptedSink();
  let outbox: EffectOutbox | null = null;
  const market = new Market((seq, events) => outbox!.record(seq, events));
  outbox = new EffectOutbox({ sink, context: market.context('p0'), retryDelayMs: { minMs: 1, maxMs: 5 }, ...options });
  market.createOffer('o1', 'm1');
  return { sink, market, outbox };
}

describe('EffectOutbox', () => {
  it('puts every record of one event-loop turn into one batch, in seq order, and reports flushedThroughSeq', async () => {
    const { sink, market, outbox } = scripted();
    market.open('o1', 'alice', 'g1');
    market.join('g1', 'bob');
    market.join('g1', 'carol');
    // Nothing is sent synchronously: record never waits on Redis.
    expect(sink.batches).toHaveLength(0);
    expect(outbox.flushedThroughSeq()).toBe(1);
    await outbox.flush();
    expect(sink.batches).toHaveLength(1);
    expect(sink.batches[0]!.map((effect) => effect.effectId)).toEqual(['charge|p0|2|g1|alice', 'charge|p0|3|g1|bob', 'charge|p0|4|g1|carol']);
    expect(outbox.flushedThroughSeq()).toBe(4);
    expect(outbox.stats()).toMatchObject({ recordedThroughSeq: 4, flushedThroughSeq: 4, pendingEffects: 0, enqueuedEffects: 3 });
  });

  it('splits a large burst into batches of maxBatchEffects, one in flight at a time', async () => {
    const { sink, market, outbox } = scripted({ maxBatchEffects: 2 });
    sink.mode = 'hold';
    for (let i = 0; i < 5; i++) market.open('o1', `s${i}`, `g${i}`);
    await sink.batchesOffered(1);
    expect(outbox.flushedThroughSeq()).toBe(1);
    sink.mode = 'ok';
    sink.release();
    await outbox.flush();
    expect(sink.batches.map((batch) => batch.length)).toEqual([2, 2, 1]);
  });

  it('says no past its bound while Redis does not answer, and yes again once drained', async () => {
    const { sink, market, outbox } = scripted({ maxPendingEffects: 3 });
    sink.mode = 'hold';
    market.open('o1', 'a', 'g1');
    market.open('o1', 'b', 'g2');
    expect(outbox.wouldAccept()).toBe(true);
    market.open('o1', 'c', 'g3');
    expect(outbox.wouldAccept()).toBe(false);
    // A command already applied is still recorded: the bound refuses new commands, it never drops effects.
    market.open('o1', 'd', 'g4');
    expect(outbox.stats().pendingEffects).toBe(4);
    sink.mode = 'ok';
    await sink.batchesOffered(1);
    sink.release();
    await outbox.flush();
    expect(outbox.wouldAccept()).toBe(true);
    expect(sink.batches.flat().map((effect) => effect.seq)).toEqual([2, 3, 4, 5]);
  });

  it('retries a failed batch with the same effects until it lands', async () => {
    const errors: string[] = [];
    const sink = new ScriptedSink();
    let outbox: EffectOutbox | null = null;
    const market = new Market((seq, events) => outbox!.record(seq, events));
    outbox = new EffectOutbox({ sink, context: market.context('p0'), retryDelayMs: { minMs: 1, maxMs: 5 }, onError: (error) => errors.push((error as Error).message) });
    market.createOffer('o1', 'm1');
    sink.mode = 'fail';
    market.open('o1', 'alice', 'g1');
    await sink.batchesOffered(3);
    expect(outbox.flushedThroughSeq()).toBe(1);
    sink.mode = 'ok';
    await outbox.flush(2);
    expect(new Set(sink.batches.map((batch) => batch.map((effect) => effect.effectId).join()))).toEqual(new Set(['charge|p0|2|g1|alice']));
    expect(outbox.stats().failedBatches).toBeGreaterThanOrEqual(3);
    expect(errors[0]).toBe('Redis is away');
  });

  it('rejects a flush that outlasts its timeout, and closes reporting what is left', async () => {
    const { sink, market, outbox } = scripted();
    sink.mode = 'hold';
    market.open('o1', 'alice', 'g1');
    await expect(outbox.flush(2, 20)).rejects.toBeInstanceOf(OutboxFlushTimeoutError);
    const waiting = outbox.flush(2);
    const closed = await outbox.close(20);
    expect(closed).toEqual({ unflushed: 1 });
    await expect(waiting).rejects.toBeInstanceOf(OutboxClosedError);
    expect(outbox.wouldAccept()).toBe(false);
  });

  it('starts at the snapshot seq and counts seqs without effects as flushed', async () => {
    const sink = new ScriptedSink();
    const outbox = new EffectOutbox({ sink, context: new Market().context('p0'), startSeq: 41 });
    expect(outbox.flushedThroughSeq()).toBe(41);
    await outbox.flush(41);
    outbox.record(40, []);
    expect(outbox.stats().repeatedSeqs).toBe(1);
    outbox.record(42, [{ type: 'offer_paused', offerId: 'o1', merchantId: 'm1', currency: 'CNY', atMs: 5 }]);
    expect(outbox.flushedThroughSeq()).toBe(42);
    expect(sink.batches).toHaveLength(0);
  });

  it('fails closed when the effects of a durable command cannot be derived: it stops there, and no flush (so no snapshot) passes that seq', async () => {
    const sink = new ScriptedSink();
    const errors: unknown[] = [];
    const market = new Market();
    const outbox = new EffectOutbox({ sink, context: market.context('p0'), onError: (error) => errors.push(error) });
    market.createOffer('o1', 'm1');
    market.open('o1', 'alice', 'g1');
    for (const { seq, events } of market.history) outbox.record(seq, events);
    await outbox.flush();
    const before = outbox.flushedThroughSeq();
    const stray = { type: 'group_exploded', offerId: 'o1', merchantId: 'm1', currency: 'CNY', atMs: 5 } as unknown as EngineEvent;
    const waiting = outbox.flush(before + 1);
    outbox.record(before + 1, [stray]);
    // Commands already admitted keep arriving: they stay unrecorded too, so nothing after the failure is taken as done.
    outbox.record(before + 2, []);
    expect(outbox.failure).toBeInstanceOf(OutboxFailedError);
    expect(outbox.failure!.seq).toBe(before + 1);
    expect(outbox.failure!.message).toContain(`seq ${before + 1}`);
    expect(outbox.wouldAccept()).toBe(false);
    expect(outbox.flushedThroughSeq()).toBe(before);
    expect(outbox.stats()).toMatchObject({ failedSeq: before + 1, deriveErrors: 1, recordedThroughSeq: before });
    await expect(waiting).rejects.toBeInstanceOf(OutboxFailedError);
    await expect(outbox.flush(before + 2)).rejects.toBeInstanceOf(OutboxFailedError);
    expect(errors).toHaveLength(1);
  });

  it('refuses a namespace that could break the ids', () => {
    expect(() => new EffectOutbox({ sink: new ScriptedSink(), context: new Market().context('p:0') })).toThrow(RangeError);
  });
});

describe('EffectOutbox on a Redis that restarts', () => {
  let redis: RedisServer;

  beforeAll(async () => {
    redis = await RedisServer.start();
  });

  afterAll(async () => {
    await redis?.destroy();
  });

  it('keeps effects while Redis is down and delivers them once it is back', async () => {
    const settings = { prefix: uniquePrefix(), payments: FAST_POLICY, webhooks: FAST_POLICY };
    const queues = await EffectQueues.open(redis.url, { settings });
    const provider = new SimulatedPaymentProvider();
    const workers = await EffectWorkers.start({ redisUrl: redis.url, provider, endpoints: new InMemoryWebhookEndpoints(), settings, providerTimeoutMs: 500, webhookTimeoutMs: 500, lockDurationMs: 1_000 });
    const failures: string[] = [];
    let outbox: EffectOutbox | null = null;
    const market = new Market((seq, events) => outbox!.record(seq, events));
    outbox = new EffectOutbox({ sink: queues, context: market.context('p0'), retryDelayMs: { minMs: 20, maxMs: 100 }, onError: (error) => failures.push(String(error)) });
    try {
      market.createOffer('o1', 'm1');
      await redis.kill();
      market.open('o1', 'alice', 'g1');
      market.join('g1', 'bob');
      await expect(outbox.flush(3, 300)).rejects.toBeInstanceOf(OutboxFlushTimeoutError);
      expect(outbox.stats().pendingEffects).toBe(2);
      expect(failures.length).toBeGreaterThan(0);

      // The data set is new (no AOF in this test): what matters is that the buffered effects get there.
      await redis.restart();
      const done = waitForCompletions(workers.payments, 2, 15_000, 'the charges after the restart');
      await outbox.flush(3, 15_000);
      await done;
      expect(provider.appliedCount('charge')).toBe(2);
    } finally {
      await outbox.close(1_000);
      await workers.close(true);
      await queues.close();
    }
  });
});
