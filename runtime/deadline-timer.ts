// The one timer that wakes the engine at its next deadline (group close, offer end): the engine knows every
// deadline, the shell only sends a `tick` when the earliest one is due. Ticks are harmless when early, late or
// repeated, so the timer need not be exact; it only must not flood: while a tick it sent is on its way through
// the journal, it arms no second one (under load the journal write takes a moment, and the deadline stays due).
import type { Engine } from '../engine/index.ts';

const TIMER_MAX_MS = 2 ** 31 - 1;

export class DeadlineTimer {
  private timer: NodeJS.Timeout | null = null;
  private atMs: number | null = null;
  private tickPending = false;

  constructor(
    private readonly engine: Engine,
    private readonly clock: () => number,
    /** Sends the tick; resolves when it was applied or refused. */
    private readonly tick: () => Promise<unknown>,
    /** Whether ticks may be sent now (the sequencer is accepting). */
    private readonly active: () => boolean,
  ) {}

  /** Arms the timer for the engine's next deadline, if that changed. A deadline in the past fires at once. */
  rearm(): void {
    if (!this.active() || this.tickPending) return;
    const nextMs = this.engine.nextDeadlineMs();
    if (nextMs === this.atMs) return;
    this.clear();
    if (nextMs === null) return;
    const delayMs = Math.min(Math.max(0, nextMs - this.clock()), TIMER_MAX_MS);
    this.atMs = nextMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.atMs = null;
      this.tickPending = true;
      void this.tick().then(() => {
        this.tickPending = false;
        this.rearm();
      });
    }, delayMs);
    // The listening socket keeps the process alive; a pending deadline alone should not.
    this.timer.unref();
  }

  clear(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
    this.atMs = null;
  }
}
