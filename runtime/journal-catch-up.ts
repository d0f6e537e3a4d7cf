// Bringing the live engine level with the journal after a failed append, without a restart.
//
// Why this is enough, and why neither a bare `resync()` nor a fresh `recover()` is the right tool:
// - The sequencer journals BEFORE it applies. A command reaches the engine only after the append holding it
//   resolved. So after a failure the live engine holds exactly the entries 1..A (A = the last seq applied),
//   every one of them durable in the store: it is the state a replay of 1..A would build, byte for byte.
//   Nothing unjournaled was ever applied, so there is nothing to undo and no reason to rebuild from a snapshot.
// - But the failed append is *in doubt*: a timeout or a dropped connection can hide a write that happened, and
//   with two batches in flight the next one then lands too (its seq check passes). The store then holds 1..S with S ≥ A, and the
//   entries A+1..S are commands whose senders were told `unavailable` but which the journal now contains:
//   a restart would replay them. A bare `resync()` (continue at S+1) would leave them out of the live engine,
//   and the live state would silently differ from what recovery rebuilds.
// - So: `resync()` (S), read A+1..S from the store and apply them in order, continue at S+1. A client that
//   retries an in-doubt command with its idempotency key then gets the first result, exactly as after a restart.
// - S < A means the store lost entries this process had acknowledged (e.g. Redis restarted without its data,
//   or the keys were flushed or evicted). No repair is honest there: the sequencer stops for good.
import type { Command } from '../engine/index.ts';
import { decodeJournalCommand } from '../engine/journal-command.ts';
import type { Journal } from './journal.ts';

/** The store contradicts what this process acknowledged or holds bad data: not retryable, needs an operator. */
export class CatchUpError extends Error {
  override name = 'CatchUpError';
}

export interface CatchUpResult {
  /** The store's last seq: the next command gets `storeLastSeq + 1`. */
  storeLastSeq: number;
  /** In-doubt entries found in the store and applied. */
  applied: number;
}

/**
 * Resyncs `journal` and applies every entry after `appliedSeq` through `apply` (which must apply it to the engine
 * and publish its events, and may throw only for a broken engine). Store I/O failures reject with the store's
 * own error (retry later); a contradiction rejects with CatchUpError. Entries applied before a failure stay
 * applied: the caller tracks `appliedSeq` through `apply` and retries from there.
 */
export async function catchUpWithJournal(
  journal: Required<Pick<Journal, 'resync' | 'readFrom'>>,
  appliedSeq: number,
  apply: (seq: number, command: Command) => void,
): Promise<CatchUpResult> {
  const storeLastSeq = await journal.resync();
  if (storeLastSeq < appliedSeq) {
    throw new CatchUpError(
      `the journal ends at seq ${storeLastSeq}, but this server applied and acknowledged up to seq ${appliedSeq}: ` +
        'the store lost acknowledged entries (restarted without its data, flushed or evicted?)',
    );
  }
  let expected = appliedSeq + 1;
  if (storeLastSeq === appliedSeq) return { storeLastSeq, applied: 0 };
  for await (const batch of journal.readFrom(expected)) {
    for (const entry of batch) {
      if (entry.seq > storeLastSeq) break;
      if (entry.seq !== expected) throw new CatchUpError(`the journal jumps from seq ${expected - 1} to seq ${entry.seq} while catching up`);
      // The journal's decoder, as recovery uses: what a restart would replay, the catch-up applies alike.
      const parsed = decodeJournalCommand(entry.version, entry.command);
      if (!parsed.ok) throw new CatchUpError(`journal entry seq ${entry.seq} is not a valid command: ${parsed.message}`);
      apply(entry.seq, parsed.command);
      expected += 1;
    }
    if (expected > storeLastSeq) break;
  }
  if (expected <= storeLastSeq) throw new CatchUpError(`the journal's last seq is ${storeLastSeq}, but its entries stop after seq ${expected - 1}`);
  return { storeLastSeq, applied: storeLastSeq - appliedSeq };
}

export interface RetryOptions {
  /** First and largest delay between attempts; the delay doubles in between. */
  minMs: number;
  maxMs: number;
  /** Checked before each attempt: false ends the loop (the caller was stopped meanwhile). */
  keepGoing: () => boolean;
  /** Whether a failure is worth another attempt (a store that is away) or final (the data is wrong). */
  retryable: (error: unknown) => boolean;
  /** Called after each retryable failure, with the attempt number. */
  onRetry: (attempt: number, error: unknown) => void;
}

/**
 * Runs `attempt` until it succeeds, fails for good, or `keepGoing` turns false; resolves with its result or
 * null when stopped, rejects with a final failure. `wake()` cuts the current delay short (used by stop).
 */
export function retryWithBackoff<T>(attempt: () => Promise<T>, options: RetryOptions): { result: Promise<T | null>; wake: () => void } {
  let wakeCurrent: (() => void) | null = null;
  const pause = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done(): void {
        clearTimeout(timer);
        wakeCurrent = null;
        resolve();
      }
      wakeCurrent = done;
    });
  const run = async (): Promise<T | null> => {
    let delayMs = options.minMs;
    for (let n = 1; options.keepGoing(); n++) {
      try {
        return await attempt();
      } catch (error) {
        if (!options.retryable(error)) throw error;
        options.onRetry(n, error);
      }
      await pause(delayMs);
      delayMs = Math.min(delayMs * 2, options.maxMs);
    }
    return null;
  };
  return { result: run(), wake: () => wakeCurrent?.() };
}
