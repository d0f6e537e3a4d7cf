// The single writer: the only caller of `engine.apply`. Contract:
// - Commands are applied in the order `submit` was called, each stamped with a `nowMs` that never decreases.
// - A state-changing command gets its seq when it is handed to the journal, and is applied only after the
//   append holding it resolved (journal BEFORE apply). Its promise resolves after it was applied and its events
//   were handed to `onApplied` (the fan-out), so a client sees the deltas of its command no later than the ack.
// - Group commit: commands are handed to the journal as they arrive, without waiting for the write before;
//   the journal (GroupCommitJournal) turns every append of one event-loop turn into one write and keeps up to
//   two writes in flight. Writes land in order, and commands are applied strictly in seq order as they land.
// - Read-only commands (`quote`) are not journaled but wait their turn, so their answer is consistent with every
//   command acknowledged before. They run at the engine's own clock, never a later one: a command that moved the
//   clock would settle deadlines the journal never saw, and a replay would then differ from the live engine.
// - Bounded: at most `maxQueued` commands wait (submitted, not yet applied); past it, and when the journal has
//   no room, commands are answered `unavailable` at once and never get a seq.
// - Journal failure: every command not yet applied is answered `unavailable` (nothing was applied for them),
//   the sequencer stops taking commands, and — when the journal can resync — it retries with backoff until the
//   store answers, catches up with what the store holds (journal-catch-up.ts explains why that is exact) and
//   accepts again by itself. A store that contradicts what was acknowledged, or an engine that throws, stops
//   the sequencer for good (`failed`): readiness stays 503 until a restart.
// - A timer wakes the engine with a `tick` at its next deadline. Ticks are harmless when early, late or repeated.
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { READ_ONLY_COMMANDS, type Applied, type Command, type Engine, type EngineEvent } from '../engine/index.ts';
import { JournalUnavailableError } from '../persistence/index.ts';
import { DeadlineTimer } from './deadline-timer.ts';
import { CatchUpError, catchUpWithJournal, retryWithBackoff } from './journal-catch-up.ts';
import type { Journal, JournalEntry } from './journal.ts';

/** A command before the sequencer stamps its time. */
export type UnstampedCommand = Command extends infer C ? (C extends Command ? Omit<C, 'nowMs'> : never) : never;

/** The sequencer's own refusal: nothing was applied (shutting down, overloaded, journal away, engine stopped). */
export interface Unavailable {
  ok: false;
  code: 'unavailable';
  message: string;
}

export interface Outcome {
  result: Applied['result'] | Unavailable;
  events: readonly EngineEvent[];
}

/** accepting → (journal fails) recovering → accepting; any → stopping → stopped; any → failed (for good). */
export type SequencerState = 'accepting' | 'recovering' | 'stopping' | 'stopped' | 'failed';

export interface SequencerOptions {
  engine: Engine;
  clock: () => number;
  journal: Journal;
  /** Commands waiting (submitted, not yet applied) beyond which `submit` answers `unavailable`. */
  maxQueued: number;
  /** Seq of the last command already applied to `engine` (after a recovery); 0 for a fresh engine. */
  lastSeq?: number;
  /** Called synchronously after each apply (durable by then), before the submitter hears back. Must not throw. */
  onApplied: (command: Command, applied: Applied, seq: number | null) => void;
  /**
   * A reason answers a state-changing command `unavailable` at once (the effects outbox is full, or stopped); null
   * admits it. Not asked for ticks: the deadline timer would resend a refused tick at once, and one tick adds one
   * command's effects.
   */
  admit?: () => string | null;
  /** Called with each apply's duration in seconds. */
  observeApply?: (command: Command, seconds: number) => void;
  /** Called after each run of applies, between two commands (the checkpointer decides there). Must not throw. */
  onProgress?: () => void;
  /** Backoff between attempts to reach a failed journal again: first and largest delay. */
  retryMinMs?: number;
  retryMaxMs?: number;
  logger: Logger;
}

interface Pending {
  command: Command;
  journaled: boolean;
  seq: number | null;
  resolve: (outcome: Outcome) => void;
}

/** Commands handed to the journal in one append call (plus read-only ones between them), applied together. */
interface Segment {
  items: Pending[];
  status: 'writing' | 'written' | 'failed';
  error: unknown;
  /** Answered already (after a failure): whatever the journal says later about this append is ignored. */
  dropped: boolean;
}

/** Without a journal limit, one append call holds at most this many entries. */
const APPEND_ENTRIES_MAX = 512;
/** Log one line per this many failed attempts while the journal stays away, not one per attempt. */
const RETRY_LOG_EVERY = 20;

export class Sequencer {
  private waiting: Pending[] = [];
  private readonly segments: Segment[] = [];
  private pendingCount = 0;
  private dispatchScheduled = false;
  private state: SequencerState = 'accepting';
  private lastNowMs: number;
  private nextSeq: number;
  private applied: number;
  private readonly deadlines: DeadlineTimer;
  private idleWaiters: (() => void)[] = [];
  private readonly stateListeners = new Set<(state: SequencerState) => void>();
  /** Cuts the retry loop's current delay short (set while recovering). */
  private stopRetrying: (() => void) | null = null;
  /** Journal outages recovered from, for metrics. */
  recoveries = 0;

  constructor(private readonly options: SequencerOptions) {
    this.lastNowMs = options.engine.nowMs;
    this.applied = options.lastSeq ?? 0;
    this.nextSeq = this.applied + 1;
    this.deadlines = new DeadlineTimer(options.engine, options.clock, () => this.wake(), () => this.state === 'accepting');
    // Deadlines that passed while the server was down fire at once: the timer's delay is clamped at 0.
    this.deadlines.rearm();
  }

  /** Whether commands are being accepted (for /readyz). */
  get ready(): boolean {
    return this.state === 'accepting';
  }

  get status(): SequencerState {
    return this.state;
  }

  /** Commands submitted and not yet applied or answered. */
  get queued(): number {
    return this.pendingCount;
  }

  /** Seq of the last command handed to the journal. */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  /** Seq of the last journaled command applied to the engine: the engine's state is exactly the journal up to it. */
  get appliedSeq(): number {
    return this.applied;
  }

  /** Calls `listener` on every state change until the returned function is called. */
  onStateChange(listener: (state: SequencerState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  submit(unstamped: UnstampedCommand): Promise<Outcome> {
    if (this.state !== 'accepting') return Promise.resolve(unavailable(this.refusalReason()));
    if (this.pendingCount >= this.options.maxQueued) return Promise.resolve(unavailable('the server is overloaded; retry shortly'));
    const readOnly = READ_ONLY_COMMANDS.has(unstamped.type);
    if (!readOnly && unstamped.type !== 'tick' && this.options.admit) {
      const refused = this.options.admit();
      if (refused !== null) return Promise.resolve(unavailable(refused));
    }
    if (!readOnly) {
      const clockMs = this.options.clock();
      if (clockMs > this.lastNowMs) this.lastNowMs = clockMs;
    }
    // A read-only command is stamped no later than the engine's clock, so applying it never moves time.
    const nowMs = readOnly ? Math.min(this.options.engine.nowMs, this.lastNowMs) : this.lastNowMs;
    const command = { ...unstamped, nowMs } as Command;
    return new Promise<Outcome>((resolve) => {
      this.waiting.push({ command, journaled: !readOnly, seq: null, resolve });
      this.pendingCount += 1;
      if (!this.dispatchScheduled) {
        this.dispatchScheduled = true;
        // A microtask: commands submitted by one I/O callback share an append; the journal merges the appends
        // of the whole turn into one write.
        queueMicrotask(() => this.dispatch());
      }
    });
  }

  /** Sends a `tick` now: settles everything due by the clock. */
  wake(): Promise<Outcome> {
    return this.submit({ type: 'tick' });
  }

  /** Stops accepting, lets commands already submitted finish, then stops the deadline timer. */
  async stop(): Promise<void> {
    if (this.state === 'accepting') this.setState('stopping');
    if (this.state === 'recovering') this.setState('stopped');
    this.stopRetrying?.();
    if (this.pendingCount > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (this.state === 'stopping') this.setState('stopped');
    this.deadlines.clear();
  }

  /** Cuts the waiting commands into append-sized segments, gives them seqs and hands them to the journal. */
  private dispatch(): void {
    this.dispatchScheduled = false;
    const items = this.waiting;
    this.waiting = [];
    const { journal } = this.options;
    const perAppend = journal.maxBatchEntries ?? APPEND_ENTRIES_MAX;
    let i = 0;
    while (i < items.length) {
      const segment: Segment = { items: [], status: 'written', error: null, dropped: false };
      let journaledCount = 0;
      while (i < items.length && (journaledCount < perAppend || !items[i]!.journaled)) {
        const pending = items[i++]!;
        segment.items.push(pending);
        if (pending.journaled) journaledCount += 1;
      }
      if (journaledCount > 0 && journal.wouldAccept && !journal.wouldAccept(journaledCount)) {
        // No seqs were given out, so refusing leaves no gap.
        this.answer(segment.items, unavailable('the journal is busy; retry shortly'));
        continue;
      }
      const entries: JournalEntry[] = [];
      for (const pending of segment.items) {
        if (!pending.journaled) continue;
        pending.seq = this.nextSeq++;
        entries.push({ seq: pending.seq, command: pending.command });
      }
      this.segments.push(segment);
      if (entries.length === 0) continue;
      segment.status = 'writing';
      let write: Promise<void>;
      try {
        write = journal.append(entries);
      } catch (error) {
        write = Promise.reject(error as Error);
      }
      write.then(
        () => {
          if (segment.dropped) return;
          segment.status = 'written';
          this.pump();
        },
        (error: unknown) => {
          if (segment.dropped) return;
          segment.status = 'failed';
          segment.error = error;
          this.pump();
        },
      );
    }
    this.pump();
  }

  /** Applies every segment at the head whose write landed, in order; stops at one still being written. */
  private pump(): void {
    let progressed = false;
    while (this.segments.length > 0) {
      const head = this.segments[0]!;
      if (head.status === 'writing') break;
      if (head.status === 'failed') {
        this.journalFailed(head.error);
        return;
      }
      this.segments.shift();
      for (let i = 0; i < head.items.length; i++) {
        if (!this.applyOne(head.items[i]!)) {
          this.answer(head.items.slice(i + 1), unavailable('the engine stopped after a fault'));
          this.fail('engine.apply threw: an invariant is broken; refusing further commands', null);
          return;
        }
        progressed = true;
      }
    }
    if (progressed) {
      this.deadlines.rearm();
      this.options.onProgress?.();
    }
    this.notifyIfIdle();
  }

  private applyOne(pending: Pending): boolean {
    const { engine, onApplied, observeApply } = this.options;
    let applied: Applied;
    const startedAt = performance.now();
    try {
      applied = engine.apply(pending.command);
    } catch (error) {
      this.options.logger.fatal({ err: error, commandType: pending.command.type, seq: pending.seq }, 'engine.apply threw');
      this.answer([pending], unavailable('the engine stopped after a fault'));
      return false;
    }
    if (pending.seq !== null) this.applied = pending.seq;
    observeApply?.(pending.command, (performance.now() - startedAt) / 1_000);
    onApplied(pending.command, applied, pending.seq);
    this.pendingCount -= 1;
    pending.resolve(applied);
    return true;
  }

  /** Applies an entry read back from the store during catch-up; throws CatchUpError if the engine throws. */
  private applyStored(seq: number, command: Command): void {
    const { engine, onApplied, observeApply } = this.options;
    let applied: Applied;
    const startedAt = performance.now();
    try {
      applied = engine.apply(command);
    } catch (error) {
      throw new CatchUpError(`the engine threw while applying journal entry seq ${seq} (${command.type}): ${(error as Error).message}`, { cause: error });
    }
    this.applied = seq;
    if (command.nowMs > this.lastNowMs) this.lastNowMs = command.nowMs;
    observeApply?.(command, (performance.now() - startedAt) / 1_000);
    onApplied(command, applied, seq);
  }

  /** Answers every command not yet applied (nothing was applied for them) and forgets their segments. */
  private dropAll(outcome: Outcome): void {
    for (const segment of this.segments) {
      segment.dropped = true;
      this.answer(segment.items, outcome);
    }
    this.segments.length = 0;
    const waiting = this.waiting;
    this.waiting = [];
    this.answer(waiting, outcome);
  }

  private journalFailed(error: unknown): void {
    this.dropAll(unavailable('the journal is unavailable, so nothing was applied; retry with the same idempotency key'));
    this.deadlines.clear();
    const { journal } = this.options;
    if (this.state === 'stopping') {
      this.options.logger.error({ err: error }, 'journal append failed during shutdown');
      this.setState('stopped');
    } else if (!journal.resync || !journal.readFrom) {
      this.fail('journal append failed and this journal cannot resync; refusing further commands', error);
    } else {
      this.options.logger.error({ err: error, appliedSeq: this.applied }, 'journal append failed: refusing commands until the journal is back');
      this.setState('recovering');
      this.recoverJournal();
    }
    this.notifyIfIdle();
  }

  /** Retries with backoff until the store answers, catches up with it, and accepts again. */
  private recoverJournal(): void {
    const journal = this.options.journal as Required<Pick<Journal, 'resync' | 'readFrom'>>;
    const { logger } = this.options;
    const retry = retryWithBackoff(() => catchUpWithJournal(journal, this.applied, (seq, command) => this.applyStored(seq, command)), {
      minMs: this.options.retryMinMs ?? 50,
      maxMs: this.options.retryMaxMs ?? 1_000,
      keepGoing: () => this.state === 'recovering',
      // A store that is away is retried; anything else (lost entries, a gap, a broken file journal) is final.
      retryable: (error) => error instanceof JournalUnavailableError,
      onRetry: (attempt, error) => {
        if (attempt === 1 || attempt % RETRY_LOG_EVERY === 0) logger.warn({ attempt, err: error }, 'journal still unavailable; retrying');
      },
    });
    this.stopRetrying = retry.wake;
    retry.result.then(
      (caughtUp) => {
        this.stopRetrying = null;
        if (caughtUp === null || this.state !== 'recovering') return;
        this.nextSeq = caughtUp.storeLastSeq + 1;
        this.recoveries += 1;
        logger.warn({ lastSeq: caughtUp.storeLastSeq, inDoubtApplied: caughtUp.applied }, 'journal available again: accepting commands');
        this.setState('accepting');
        this.deadlines.rearm();
        if (caughtUp.applied > 0) this.options.onProgress?.();
      },
      (error: unknown) => {
        this.stopRetrying = null;
        this.fail(`cannot resume after the journal failure: ${(error as Error).message}`, error);
      },
    );
  }

  private fail(message: string, error: unknown): void {
    this.options.logger.fatal({ err: error }, message);
    this.dropAll(unavailable('the engine stopped after a fault'));
    this.deadlines.clear();
    this.setState('failed');
    this.notifyIfIdle();
  }

  private answer(items: readonly Pending[], outcome: Outcome): void {
    for (const pending of items) {
      this.pendingCount -= 1;
      pending.resolve(outcome);
    }
  }

  private refusalReason(): string {
    switch (this.state) {
      case 'recovering':
        return 'the journal is unavailable; retry shortly';
      case 'failed':
        return 'the engine stopped after a fault';
      default:
        return 'the server is shutting down';
    }
  }

  private setState(state: SequencerState): void {
    if (this.state === state) return;
    this.state = state;
    for (const listener of [...this.stateListeners]) listener(state);
  }

  private notifyIfIdle(): void {
    if (this.pendingCount > 0) return;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}

function unavailable(message: string): Outcome {
  return { result: { ok: false, code: 'unavailable', message }, events: [] };
}
