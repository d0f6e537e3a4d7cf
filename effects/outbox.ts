// The outbox: the engine's single writer hands it the events of every durable command, synchronously and
// cheaply; it derives effect jobs and adds them to BullMQ in batches in the background.
//
// The durable outbox is the journal itself: this object only buffers in memory. If the process dies with
// effects still buffered, recovery replays the journal after the newest snapshot and calls `record` again for
// those seqs, which derives the same effects with the same ids. That is why effects of every seq at or before a
// snapshot must be in Redis before the snapshot is saved (`flush`), and why `record` may only see durable seqs.
import type { EngineEvent } from '../engine/index.ts';
import { checkNamespace, deriveEffects, type DeriveContext } from './derive.ts';
import type { EffectSpec } from './effect-spec.ts';
import type { EffectSink } from './queues.ts';

export interface OutboxOptions {
  sink: EffectSink;
  context: DeriveContext;
  /** Effects buffered (not yet in Redis) at or past which `wouldAccept()` says no. Default 100 000. */
  maxPendingEffects?: number;
  /** Effects per `addBatch`. Default 512. */
  maxBatchEffects?: number;
  /** Delay before retrying a failed batch: doubles from `minMs` up to `maxMs`. Default 50..2 000 ms. */
  retryDelayMs?: { minMs: number; maxMs: number };
  /** `flush` calls waiting at once. Default 1 024. */
  maxFlushWaiters?: number;
  /** Seqs at or before this are taken as flushed: the snapshot seq recovery started from. Default 0. */
  startSeq?: number;
  /** Told of a derive error (which stops the outbox: see `failure`) and failed batches (which are retried). */
  onError?: (error: unknown, stage: 'derive' | 'enqueue') => void;
}

export interface OutboxStats {
  recordedThroughSeq: number;
  flushedThroughSeq: number;
  /** Effects buffered, in flight included. */
  pendingEffects: number;
  enqueuedEffects: number;
  /** `record` calls ignored because their seq was already recorded by this outbox. */
  repeatedSeqs: number;
  failedBatches: number;
  deriveErrors: number;
  lastError: string | null;
  /** The seq whose effects could not be derived, once that happened (the outbox then takes nothing more). */
  failedSeq: number | null;
}

export class OutboxClosedError extends Error {
  override name = 'OutboxClosedError';
}

export class OutboxFlushTimeoutError extends Error {
  override name = 'OutboxFlushTimeoutError';
}

/**
 * The effects of a durable command could not be derived (an integration bug). The outbox has stopped: it takes
 * nothing more, no flush reaches that seq, so no snapshot covers it and the journal keeps it until a fixed build
 * derives it again at the next start.
 */
export class OutboxFailedError extends Error {
  override name = 'OutboxFailedError';
  constructor(
    readonly seq: number,
    options?: { cause?: unknown },
  ) {
    super(`the effects of seq ${seq} could not be derived (${(options?.cause as Error | undefined)?.message ?? 'unknown error'}); effects are stopped so none is lost: fix and restart`, options);
  }
}

interface FlushWaiter {
  seq: number;
  resolve: () => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout | null;
}

/**
 * Contract:
 * - `record(seq, events)` is synchronous, never throws and never waits on Redis. Call it once the command at
 *   `seq` is durable in the journal (with the current sequencer: in `onApplied`, which runs after the append),
 *   in increasing seq order, for every applied command (empty `events` are fine), and again for every entry
 *   recovery replays. A seq at or below the last one recorded is ignored.
 * - Ordering: effects reach BullMQ in seq order, in batches; one batch is in flight at a time.
 * - Bounded: past `maxPendingEffects` buffered effects `wouldAccept()` is false and the gateway must refuse new
 *   state-changing commands (`unavailable`) until it drains. `record` itself always takes the effects of a
 *   command already applied, so the buffer can exceed the bound by one command's effects (at most one
 *   `close_offer`: groups × members × 2 + groups + 1).
 * - Failure: a failed batch is retried, with backoff, until it lands or `close` gives up; the outbox never drops
 *   an effect by itself. While Redis is away the buffer fills and `wouldAccept()` turns false.
 * - `flushedThroughSeq()`: every effect of every recorded seq ≤ it is in Redis. `flush(seq)` waits for that.
 */
export class EffectOutbox {
  private readonly sink: EffectSink;
  private readonly context: DeriveContext;
  private readonly maxPending: number;
  private readonly maxBatch: number;
  private readonly retryDelay: { minMs: number; maxMs: number };
  private readonly maxWaiters: number;
  private readonly onError: (error: unknown, stage: 'derive' | 'enqueue') => void;

  /** Buffered effects from `head` on; the consumed prefix is dropped in bulk, never one shift at a time. */
  private pending: EffectSpec[] = [];
  private head = 0;
  private inFlight: readonly EffectSpec[] | null = null;
  private lastRecordedSeq: number;
  private draining = false;
  private drainScheduled = false;
  private retryTimer: NodeJS.Timeout | null = null;
  private retryAttempt = 0;
  private waiters: FlushWaiter[] = [];
  private closed = false;
  /** Set when `close` has given up: no more retries. */
  private stopped = false;
  private idleWaiters: (() => void)[] = [];
  private counters = { enqueuedEffects: 0, repeatedSeqs: 0, failedBatches: 0, deriveErrors: 0 };
  private lastError: string | null = null;
  /** Set when deriving a durable command's effects threw: the outbox stops there, for good (fail closed). */
  private failed: OutboxFailedError | null = null;

  constructor(options: OutboxOptions) {
    checkNamespace(options.context.namespace);
    this.sink = options.sink;
    this.context = options.context;
    this.maxPending = options.maxPendingEffects ?? 100_000;
    this.maxBatch = options.maxBatchEffects ?? 512;
    this.retryDelay = options.retryDelayMs ?? { minMs: 50, maxMs: 2_000 };
    this.maxWaiters = options.maxFlushWaiters ?? 1_024;
    this.lastRecordedSeq = options.startSeq ?? 0;
    this.onError = options.onError ?? (() => undefined);
    if (this.maxPending < 1 || this.maxBatch < 1 || this.maxWaiters < 1) throw new RangeError('outbox bounds must be at least 1');
  }

  /** Derives the effects of the command at `seq` and buffers them for BullMQ. See the class contract. */
  record(seq: number, events: readonly EngineEvent[]): void {
    if (this.closed) {
      this.onError(new OutboxClosedError(`effects of seq ${seq} recorded after close; recovery will derive them again`), 'derive');
      return;
    }
    // Failed closed: this seq and every later one stay unrecorded (not flushed), so no snapshot passes them.
    if (this.failed !== null) return;
    if (seq <= this.lastRecordedSeq) {
      this.counters.repeatedSeqs++;
      return;
    }
    let effects: EffectSpec[];
    try {
      effects = events.length === 0 ? [] : deriveEffects(seq, events, this.context);
    } catch (error) {
      // An integration bug. The command is applied and durable, so its effects must not be lost: the outbox
      // stops here for good. `wouldAccept` turns false (the gateway answers `unavailable`, /readyz 503),
      // `flushedThroughSeq` never reaches this seq (no snapshot covers it, nothing is trimmed), and a restart
      // derives it again from the journal.
      this.counters.deriveErrors++;
      this.lastError = (error as Error).message;
      this.failed = new OutboxFailedError(seq, { cause: error });
      this.onError(this.failed, 'derive');
      this.rejectWaiters(this.failed);
      return;
    }
    this.lastRecordedSeq = seq;
    if (effects.length === 0) {
      if (this.pendingCount() === 0) this.settleWaiters();
      return;
    }
    for (const effect of effects) this.pending.push(effect);
    this.scheduleDrain();
  }

  /** Whether the gateway may accept another state-changing command (room in the buffer, not closed). */
  wouldAccept(): boolean {
    return !this.closed && this.failed === null && this.pendingCount() < this.maxPending;
  }

  /** Why the outbox stopped for good (a durable command whose effects could not be derived), or null. */
  get failure(): OutboxFailedError | null {
    return this.failed;
  }

  /** Every effect of every recorded seq ≤ this is in Redis. */
  flushedThroughSeq(): number {
    const first = this.inFlight?.[0] ?? this.pending[this.head];
    return first === undefined ? this.lastRecordedSeq : first.seq - 1;
  }

  /**
   * Resolves once every effect of every seq ≤ `throughSeq` (default: the last recorded) is in Redis. Rejects
   * with `OutboxFlushTimeoutError` after `timeoutMs` (default: none), `OutboxClosedError` when the outbox closes
   * first, or at once when `maxFlushWaiters` calls are already waiting.
   */
  flush(throughSeq = this.lastRecordedSeq, timeoutMs?: number): Promise<void> {
    if (this.flushedThroughSeq() >= throughSeq) return Promise.resolve();
    if (this.failed !== null) return Promise.reject(this.failed);
    if (this.closed) return Promise.reject(new OutboxClosedError('the outbox is closed'));
    if (this.waiters.length >= this.maxWaiters) return Promise.reject(new OutboxClosedError(`too many flush calls waiting (${this.waiters.length})`));
    return new Promise<void>((resolve, reject) => {
      const waiter: FlushWaiter = { seq: throughSeq, resolve, reject, timer: null };
      if (timeoutMs !== undefined) {
        waiter.timer = setTimeout(() => {
          this.waiters = this.waiters.filter((other) => other !== waiter);
          reject(new OutboxFlushTimeoutError(`effects through seq ${throughSeq} not in Redis after ${timeoutMs} ms (flushed through ${this.flushedThroughSeq()}${this.lastError ? `; last error: ${this.lastError}` : ''})`));
        }, timeoutMs);
      }
      this.waiters.push(waiter);
    });
  }

  stats(): OutboxStats {
    return {
      recordedThroughSeq: this.lastRecordedSeq,
      flushedThroughSeq: this.flushedThroughSeq(),
      pendingEffects: this.pendingCount(),
      ...this.counters,
      lastError: this.lastError,
      failedSeq: this.failed?.seq ?? null,
    };
  }

  /**
   * Stops taking effects and tries to add what is buffered for up to `timeoutMs`. Resolves with the number of
   * effects left behind: none are lost for good (recovery replays them from the journal) as long as no
   * snapshot was saved past their seq.
   */
  async close(timeoutMs = 5_000): Promise<{ unflushed: number }> {
    if (!this.closed) {
      this.closed = true;
      if (this.pendingCount() > 0) {
        let timer: NodeJS.Timeout | undefined;
        const idle = new Promise<void>((resolve) => this.idleWaiters.push(resolve));
        const timeout = new Promise<void>((resolve) => (timer = setTimeout(resolve, timeoutMs)));
        await Promise.race([idle, timeout]);
        clearTimeout(timer);
      }
      this.stopped = true;
      this.idleWaiters = [];
      if (this.retryTimer !== null) clearTimeout(this.retryTimer);
      this.retryTimer = null;
      for (const waiter of this.waiters.splice(0)) {
        if (waiter.timer !== null) clearTimeout(waiter.timer);
        waiter.reject(new OutboxClosedError(`the outbox closed with effects through seq ${waiter.seq} not all in Redis`));
      }
    }
    return { unflushed: this.pendingCount() };
  }

  private pendingCount(): number {
    return this.pending.length - this.head + (this.inFlight?.length ?? 0);
  }

  private scheduleDrain(): void {
    if (this.draining || this.drainScheduled || this.retryTimer !== null) return;
    this.drainScheduled = true;
    // setImmediate, not a microtask: every record of this event-loop turn (a whole sequencer batch) goes out in
    // the same addBulk.
    setImmediate(() => {
      this.drainScheduled = false;
      void this.drain();
    });
  }

  private async drain(): Promise<void> {
    if (this.draining) return;
    this.draining = true;
    try {
      while (this.inFlight !== null || this.head < this.pending.length) {
        if (this.inFlight === null) this.inFlight = this.takeBatch();
        try {
          await this.sink.addBatch(this.inFlight);
        } catch (error) {
          // The same batch goes again after a pause: jobIds make a partly applied addBulk harmless to repeat.
          this.counters.failedBatches++;
          this.lastError = (error as Error).message;
          this.onError(error, 'enqueue');
          if (this.stopped) return;
          const delayMs = Math.min(this.retryDelay.maxMs, this.retryDelay.minMs * 2 ** Math.min(this.retryAttempt++, 20));
          this.retryTimer = setTimeout(() => {
            this.retryTimer = null;
            void this.drain();
          }, delayMs);
          // Buffered effects alone do not keep the process alive: the journal still holds them.
          this.retryTimer.unref();
          return;
        }
        this.counters.enqueuedEffects += this.inFlight.length;
        this.inFlight = null;
        this.retryAttempt = 0;
        this.settleWaiters();
      }
      for (const resolve of this.idleWaiters.splice(0)) resolve();
    } finally {
      this.draining = false;
    }
  }

  private takeBatch(): EffectSpec[] {
    const end = Math.min(this.pending.length, this.head + this.maxBatch);
    const batch = this.pending.slice(this.head, end);
    this.head = end;
    if (this.head === this.pending.length) {
      this.pending = [];
      this.head = 0;
    } else if (this.head >= 4_096 && this.head * 2 >= this.pending.length) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
    return batch;
  }

  private rejectWaiters(error: Error): void {
    for (const waiter of this.waiters.splice(0)) {
      if (waiter.timer !== null) clearTimeout(waiter.timer);
      waiter.reject(error);
    }
  }

  private settleWaiters(): void {
    if (this.waiters.length === 0) return;
    const flushed = this.flushedThroughSeq();
    const still: FlushWaiter[] = [];
    for (const waiter of this.waiters) {
      if (waiter.seq <= flushed) {
        if (waiter.timer !== null) clearTimeout(waiter.timer);
        waiter.resolve();
      } else {
        still.push(waiter);
      }
    }
    this.waiters = still;
  }
}
