// When fresh shoppers arrive: Poisson processes, bursts and recorded traces. A scenario may list several; they
// superpose (a steady Poisson trickle plus a burst at the flash sale's start). Each process is a lazy stream of
// arrival offsets from the scenario's start, in order, so memory does not grow with the number of arrivals.
import { z } from 'zod';
import { Duration } from './durations.ts';
import { openUnit, type Prng } from './random.ts';
import { unreachable } from './unreachable.ts';

/** Arrivals one process may produce; the run's `shoppers.max` bounds all of them together. */
export const ARRIVALS_PER_PROCESS_MAX = 1_000_000;

const PER_MS = { second: 1_000, minute: 60_000, hour: 3_600_000, day: 86_400_000 } as const;

export const ArrivalProcess = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('poisson'),
    /** Mean arrivals per `per`. */
    rate: z.number().refine((x) => x > 0 && Number.isFinite(x), { message: 'must be > 0' }),
    per: z.enum(['second', 'minute', 'hour', 'day']).default('minute'),
    /** Active from this offset (default: the start) until `until` (default: the end of the arrival window). */
    from: Duration.default(0),
    until: Duration.optional(),
  }),
  z.strictObject({
    type: z.literal('burst'),
    /** When the burst starts, from the scenario's start. */
    at: Duration,
    /** Exactly this many shoppers arrive… */
    count: z.number().int().min(1, 'must be ≥ 1').max(ARRIVALS_PER_PROCESS_MAX),
    /** …spread over this long (0: all in the same millisecond). */
    spread: Duration.default(0),
    /** `uniform` over the spread, or `front_loaded`: the density decays exponentially (mean a quarter of the spread). */
    shape: z.enum(['uniform', 'front_loaded']).default('uniform'),
  }),
  z.strictObject({
    type: z.literal('trace'),
    /** A recorded trace: a text file of arrival offsets (one per line: ms or "90s"; `#` comments), relative to the scenario file. */
    file: z.string().min(1).optional(),
    /** The offsets themselves (the loader fills this in from `file`). */
    offsets: z.array(Duration).max(ARRIVALS_PER_PROCESS_MAX).optional(),
    /** Stretches the trace in time: 2 plays it at half speed. */
    stretch: z.number().refine((x) => x > 0, { message: 'must be > 0' }).default(1),
  }).refine((t) => t.offsets !== undefined, { message: 'a trace needs `offsets` or a `file` of offsets', path: ['offsets'] }),
]);

export type ArrivalProcess = z.output<typeof ArrivalProcess>;

/** Offsets (ms from the start) of one process's arrivals, non-decreasing, or null when it has no more. */
export interface ArrivalStream {
  next(): number | null;
}

export function arrivalStream(process: ArrivalProcess, rng: Prng, horizonMs: number): ArrivalStream {
  switch (process.type) {
    case 'poisson':
      return poissonStream(process.rate / PER_MS[process.per], process.from, Math.min(process.until ?? horizonMs, horizonMs), rng);
    case 'burst':
      return burstStream(process.at, process.count, process.spread, process.shape, rng);
    case 'trace':
      return traceStream((process.offsets ?? []).map((offset) => Math.floor(offset * process.stretch)));
    default:
      return unreachable(process);
  }
}

function poissonStream(ratePerMs: number, fromMs: number, untilMs: number, rng: Prng): ArrivalStream {
  let t = fromMs;
  let count = 0;
  return {
    next() {
      if (count >= ARRIVALS_PER_PROCESS_MAX) return null;
      t += -Math.log(openUnit(rng)) / ratePerMs;
      if (t >= untilMs) return null;
      count++;
      return Math.floor(t);
    },
  };
}

/**
 * Exactly `count` arrivals, generated in order without storing them: the next uniform order statistic follows
 * from the last one (u' = 1 − (1 − u)·V^(1/remaining)), and a monotone inverse CDF maps it onto the spread.
 */
function burstStream(atMs: number, count: number, spreadMs: number, shape: 'uniform' | 'front_loaded', rng: Prng): ArrivalStream {
  let remaining = count;
  let u = 0;
  const rate = 4 / Math.max(spreadMs, 1);
  const mass = 1 - Math.exp(-rate * spreadMs);
  const inverse = shape === 'uniform' ? (p: number) => p * spreadMs : (p: number) => -Math.log(1 - p * mass) / rate;
  return {
    next() {
      if (remaining === 0) return null;
      u = 1 - (1 - u) * Math.pow(openUnit(rng), 1 / remaining);
      remaining--;
      return atMs + Math.min(Math.floor(inverse(u)), spreadMs);
    },
  };
}

function traceStream(offsets: number[]): ArrivalStream {
  const sorted = [...offsets].sort((a, b) => a - b);
  let index = 0;
  return { next: () => (index < sorted.length ? sorted[index++]! : null) };
}

/** Reads a trace file's text: one offset a line (ms or a duration string), blank lines and `#` comments skipped. */
export function parseTraceText(text: string): { ok: true; offsets: (number | string)[] } | { ok: false; message: string } {
  const offsets: (number | string)[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.replace(/#.*/, '').trim();
    if (line === '' || (i === 0 && /^[A-Za-z_]+$/.test(line))) continue; // a CSV header such as "offsetMs"
    const first = line.split(',')[0]!.trim();
    offsets.push(/^\d+(\.\d+)?$/.test(first) ? Number(first) : first);
    if (offsets.length > ARRIVALS_PER_PROCESS_MAX) return { ok: false, message: `more than ${ARRIVALS_PER_PROCESS_MAX} arrivals` };
  }
  return { ok: true, offsets };
}
