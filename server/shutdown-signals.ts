// What SIGTERM and SIGINT mean to the server: one signal is one graceful shutdown, however many times it is
// delivered. A signal sent to a process group (Ctrl-C in a terminal, `kill -TERM -<pgid>`, many supervisors)
// reaches the server directly and again through every parent that forwards signals to its child (npm does),
// within milliseconds; were each delivery a new request, the second would cut the graceful shutdown short and
// skip its snapshot. So a signal within `forceAfterMs` of the first is a duplicate and is only logged; one that
// comes later is an operator insisting, and forces the exit.
import { constants } from 'node:os';

/** How long after the first signal another one still counts as the same request. */
export const DUPLICATE_SIGNAL_WINDOW_MS = 2_000;

export type SignalDecision =
  /** The first signal: start the graceful shutdown. */
  | { action: 'shutdown' }
  /** The same request delivered again (by the group and by a parent): nothing to do but say so. */
  | { action: 'duplicate'; sinceFirstMs: number }
  /** A second request after the window: exit at once, without the shutdown snapshot. */
  | { action: 'force'; sinceFirstMs: number; exitCode: number };

/** The decision alone, with time passed in, so it can be checked without signals or clocks. */
export class ShutdownSignalGate {
  private firstAtMs: number | null = null;

  constructor(private readonly forceAfterMs = DUPLICATE_SIGNAL_WINDOW_MS) {}

  receive(signal: NodeJS.Signals, nowMs: number): SignalDecision {
    if (this.firstAtMs === null) {
      this.firstAtMs = nowMs;
      return { action: 'shutdown' };
    }
    const sinceFirstMs = nowMs - this.firstAtMs;
    if (sinceFirstMs < this.forceAfterMs) return { action: 'duplicate', sinceFirstMs };
    return { action: 'force', sinceFirstMs, exitCode: forcedExitCode(signal) };
  }
}

/** 128 + the signal's number (130 for SIGINT, 143 for SIGTERM): what a shell reports for a process a signal ended. */
export function forcedExitCode(signal: NodeJS.Signals): number {
  return 128 + (constants.signals[signal] ?? 0);
}
