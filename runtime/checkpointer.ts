// Periodic snapshots of the live engine (by count and by time, `CheckpointPolicy`) and one on graceful shutdown.
//
// Why the snapshot is exact: `writeCheckpoint` captures the engine's state synchronously, before its first
// await, and the checkpointer calls it from its own macrotask, never from inside the sequencer's apply loop.
// So the capture sits between two applies, and `sequencer.appliedSeq` read in the same synchronous block is the
// seq of exactly that state. Commands applied while the snapshot is being written cannot leak into it.
// Trimming (inside writeCheckpoint) happens only after the snapshot is durable, and only below the older of
// the two kept snapshots.
import type { Logger } from 'pino';
import type { Engine } from '../engine/index.ts';
import { CheckpointPolicy, writeCheckpoint, type CheckpointOptions, type CheckpointPolicyOptions, type SnapshotStore } from '../persistence/index.ts';
import type { Sequencer } from './sequencer.ts';

export interface CheckpointerOptions {
  engine: Engine;
  sequencer: Sequencer;
  journal: CheckpointOptions['journal'];
  snapshots: SnapshotStore;
  /** 0 (or Infinity) for either bound turns that trigger off. */
  policy: CheckpointPolicyOptions;
  /** Trim the journal after each snapshot (off keeps the whole history). */
  trimJournal: boolean;
  clock: () => number;
  logger: Logger;
  /** After a failed checkpoint, wait this long before the next attempt. */
  retryAfterMs?: number;
  /** How often the time bound is checked while no commands arrive. */
  checkEveryMs?: number;
  /** Between capturing the state at a seq and saving it (see writeCheckpoint): the effects flush. */
  beforeSave?: (seq: number) => Promise<void>;
}

export class Checkpointer {
  private readonly policy: CheckpointPolicy;
  private running: Promise<void> | null = null;
  private scheduled = false;
  private stopped = false;
  private nextAttemptAtMs = 0;
  private readonly timer: NodeJS.Timeout;
  private waiters: { minSeq: number; resolve: () => void }[] = [];
  /** Seq of the newest snapshot this process wrote (or recovered from: the start seq). */
  lastSeq: number;
  written = 0;
  failures = 0;

  constructor(private readonly options: CheckpointerOptions) {
    const off = (value: number) => (value > 0 ? value : Infinity);
    this.lastSeq = options.sequencer.appliedSeq;
    this.policy = new CheckpointPolicy({ everyEntries: off(options.policy.everyEntries), everyMs: off(options.policy.everyMs) }, this.lastSeq, options.clock());
    this.timer = setInterval(() => this.poke(), options.checkEveryMs ?? 1_000);
    this.timer.unref();
  }

  /** Cheap: called after every run of applies. Schedules a checkpoint when the policy says it is due. */
  poke(): void {
    if (this.stopped || this.running !== null || this.scheduled || !this.options.sequencer.ready) return;
    const nowMs = this.options.clock();
    if (nowMs < this.nextAttemptAtMs || !this.policy.isDue(this.options.sequencer.appliedSeq, nowMs)) return;
    this.scheduled = true;
    // Out of the apply loop, into a macrotask of its own: the capture then sits between two commands.
    setImmediate(() => {
      this.scheduled = false;
      if (!this.stopped) void this.run();
    });
  }

  /** Resolves once a snapshot at `minSeq` or later has been written (at once if one was). */
  snapshotAtLeast(minSeq: number): Promise<void> {
    if (this.lastSeq >= minSeq) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push({ minSeq, resolve }));
  }

  /**
   * For graceful shutdown, after the sequencer stopped: waits for a running checkpoint, then writes a last one
   * when the engine is past the newest snapshot in the store (commands applied, or entries replayed at start). Resolves with its seq, or null when none was needed or possible.
   */
  async final(): Promise<number | null> {
    this.stopped = true;
    clearInterval(this.timer);
    await this.running;
    const { sequencer } = this.options;
    if (sequencer.status === 'failed' || sequencer.status === 'recovering') {
      this.options.logger.warn({ status: sequencer.status }, 'no snapshot at shutdown: the journal or engine is not in a state to snapshot');
      return null;
    }
    // Compared with the newest snapshot in the store, not with the seq this process started at: right after a
    // replay the engine is past the snapshot it recovered from, and without a snapshot now the next start
    // would replay the same entries again.
    const newest = await this.newestStoredSeq();
    if (newest !== null && sequencer.appliedSeq <= newest) return null;
    return (await this.run()) ? this.lastSeq : null;
  }

  /** The newest snapshot's seq in the store, or the newest this process wrote when the store cannot say. */
  private async newestStoredSeq(): Promise<number | null> {
    try {
      const kept = await this.options.snapshots.list();
      return kept.reduce<number | null>((max, info) => (max === null || info.seq > max ? info.seq : max), null);
    } catch (error) {
      this.options.logger.warn({ err: error }, 'cannot list the snapshots at shutdown; writing one to be safe');
      return this.written > 0 ? this.lastSeq : null;
    }
  }

  /** Writes one checkpoint at the current applied seq. Resolves true when it was written. */
  private run(): Promise<boolean> {
    const { engine, sequencer, journal, snapshots, trimJournal, clock, logger, beforeSave } = this.options;
    const seq = sequencer.appliedSeq;
    const startedAt = clock();
    // Synchronous up to writeCheckpoint's first await: the state captured is the state at `seq`.
    const writing = writeCheckpoint({ engine, seq, journal, snapshots, trim: trimJournal, ...(beforeSave ? { beforeSave } : {}) });
    const done = writing.then(
      (result) => {
        this.lastSeq = result.seq;
        this.written += 1;
        this.policy.done(result.seq, clock());
        const due = this.waiters.filter((w) => w.minSeq <= result.seq);
        this.waiters = this.waiters.filter((w) => w.minSeq > result.seq);
        for (const waiter of due) waiter.resolve();
        logger.info({ seq: result.seq, hash: result.hash, trimmedBefore: result.trimmedBefore, ms: clock() - startedAt }, 'snapshot written');
        return true;
      },
      (error: unknown) => {
        this.failures += 1;
        this.nextAttemptAtMs = clock() + (this.options.retryAfterMs ?? 5_000);
        logger.warn({ err: error, seq }, 'snapshot failed; will retry');
        return false;
      },
    );
    this.running = done.then(() => {
      this.running = null;
      // Commands applied while this one was written may already make the next one due.
      this.poke();
    });
    return done;
  }
}
