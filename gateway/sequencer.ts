// The single writer: the only caller of `engine.apply`. Contract:
// - Commands are applied in the order `submit` was called, each stamped with a `nowMs` that never decreases.
// - A state-changing command is journaled before it is applied; its promise resolves after it was applied and
//   its events were handed to `onApplied` (the fan-out), so a client sees the deltas of its command no later
//   than the acknowledgement. Read-only commands (`quote`) are not journaled but wait their turn, so their
//   answer is consistent with every command acknowledged before. They run at the engine's own clock, never a
//   later one: a command that moved the clock would settle deadlines the journal never saw, and a replay would
//   then differ from the live engine. So a quote reflects the market as of the latest state change; the
//   deadline timer keeps that at most one timer-lag behind.
// - The engine never waits on I/O: apply and publish are synchronous; only the journal is awaited, in batches
//   (every command submitted while one batch is being written goes into the next: group commit).
// - A timer wakes the engine with a `tick` at its next deadline. Ticks are harmless when early, late or repeated.
import { performance } from 'node:perf_hooks';
import type { Logger } from 'pino';
import { READ_ONLY_COMMANDS, type Applied, type Command, type Engine, type EngineEvent } from '../engine/index.ts';
import type { Journal, JournalEntry } from './journal.ts';
import type { GatewayRejection } from './protocol.ts';

/** A command before the sequencer stamps its time. */
export type UnstampedCommand = Command extends infer C ? (C extends Command ? Omit<C, 'nowMs'> : never) : never;

export interface Outcome {
  result: Applied['result'] | GatewayRejection;
  events: readonly EngineEvent[];
}

export interface SequencerOptions {
  engine: Engine;
  clock: () => number;
  journal: Journal;
  /** Commands waiting (submitted, not yet applied) beyond which `submit` answers `unavailable`. */
  maxQueued: number;
  /** Seq of the last command already applied to `engine` (after a recovery); 0 for a fresh engine. */
  lastSeq?: number;
  /** Called synchronously after each apply, before the submitter hears back. Must not throw. */
  onApplied: (command: Command, applied: Applied) => void;
  /** Called with each apply's duration in seconds. */
  observeApply?: (command: Command, seconds: number) => void;
  logger: Logger;
}

interface Pending {
  command: Command;
  seq: number | null;
  resolve: (outcome: Outcome) => void;
}

type State = 'accepting' | 'stopping' | 'stopped' | 'failed';

const TIMER_MAX_MS = 2 ** 31 - 1;
const BATCH_MAX = 4_096;

export class Sequencer {
  private readonly queue: Pending[] = [];
  private draining = false;
  private state: State = 'accepting';
  private lastNowMs: number;
  private nextSeq: number;
  private timer: NodeJS.Timeout | null = null;
  private timerAtMs: number | null = null;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly options: SequencerOptions) {
    this.lastNowMs = options.engine.nowMs;
    this.nextSeq = (options.lastSeq ?? 0) + 1;
    this.rearmTimer();
  }

  /** Whether commands are being accepted (for /readyz). */
  get ready(): boolean {
    return this.state === 'accepting';
  }

  get queued(): number {
    return this.queue.length;
  }

  /** Seq of the last command handed to the journal. */
  get lastSeq(): number {
    return this.nextSeq - 1;
  }

  submit(unstamped: UnstampedCommand): Promise<Outcome> {
    if (this.state !== 'accepting') return Promise.resolve(unavailable(this.state === 'failed' ? 'the engine stopped after a fault' : 'the server is shutting down'));
    if (this.queue.length >= this.options.maxQueued) return Promise.resolve(unavailable('the server is overloaded; retry shortly'));
    const readOnly = READ_ONLY_COMMANDS.has(unstamped.type);
    if (!readOnly) {
      const clockMs = this.options.clock();
      if (clockMs > this.lastNowMs) this.lastNowMs = clockMs;
    }
    // A read-only command is stamped no later than the engine's clock, so applying it never moves time.
    const nowMs = readOnly ? Math.min(this.options.engine.nowMs, this.lastNowMs) : this.lastNowMs;
    const command = { ...unstamped, nowMs } as Command;
    const seq = readOnly ? null : this.nextSeq++;
    return new Promise<Outcome>((resolve) => {
      this.queue.push({ command, seq, resolve });
      if (!this.draining) {
        this.draining = true;
        queueMicrotask(() => void this.drain());
      }
    });
  }

  /** Sends a `tick` now: settles everything due by the clock. */
  wake(): Promise<Outcome> {
    return this.submit({ type: 'tick' });
  }

  /** Stops accepting, lets queued commands finish, then stops the deadline timer. */
  async stop(): Promise<void> {
    if (this.state === 'accepting') this.state = 'stopping';
    if (this.draining) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    if (this.state === 'stopping') this.state = 'stopped';
    this.clearTimer();
  }

  private async drain(): Promise<void> {
    while (this.queue.length > 0 && this.state !== 'failed') {
      const batch = this.queue.splice(0, BATCH_MAX);
      const entries: JournalEntry[] = [];
      for (const pending of batch) if (pending.seq !== null) entries.push({ seq: pending.seq, command: pending.command });
      if (entries.length > 0) {
        try {
          await this.options.journal.append(entries);
        } catch (error) {
          this.fail('journal append failed; refusing further commands', error, batch);
          break;
        }
      }
      for (let i = 0; i < batch.length; i++) {
        const pending = batch[i]!;
        if (!this.applyOne(pending)) {
          this.fail('engine.apply threw: an invariant is broken; refusing further commands', null, batch.slice(i + 1));
          break;
        }
      }
      this.rearmTimer();
    }
    this.draining = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }

  private applyOne(pending: Pending): boolean {
    const { engine, onApplied, observeApply } = this.options;
    let applied: Applied;
    const startedAt = performance.now();
    try {
      applied = engine.apply(pending.command);
    } catch (error) {
      this.options.logger.fatal({ err: error, commandType: pending.command.type, seq: pending.seq }, 'engine.apply threw');
      pending.resolve(unavailable('the engine stopped after a fault'));
      return false;
    }
    observeApply?.(pending.command, (performance.now() - startedAt) / 1_000);
    onApplied(pending.command, applied);
    pending.resolve(applied);
    return true;
  }

  private fail(message: string, error: unknown, unapplied: Pending[]): void {
    this.state = 'failed';
    this.options.logger.fatal({ err: error }, message);
    for (const pending of [...unapplied, ...this.queue.splice(0)]) pending.resolve(unavailable('the engine stopped after a fault'));
    this.clearTimer();
  }

  /** Arms the one deadline timer for the engine's next deadline, if that changed. */
  private rearmTimer(): void {
    if (this.state !== 'accepting') return;
    const nextMs = this.options.engine.nextDeadlineMs();
    if (nextMs === this.timerAtMs) return;
    this.clearTimer();
    if (nextMs === null) return;
    const delayMs = Math.min(Math.max(0, nextMs - this.options.clock()), TIMER_MAX_MS);
    this.timerAtMs = nextMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.timerAtMs = null;
      void this.wake().then(() => this.rearmTimer());
    }, delayMs);
    // The listening socket keeps the process alive; a pending deadline alone should not.
    this.timer.unref();
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.timerAtMs = null;
  }
}

function unavailable(message: string): Outcome {
  return { result: { ok: false, code: 'unavailable', message }, events: [] };
}
