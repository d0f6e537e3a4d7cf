// The in-process measurement loops of the engine benches (engine, auctions, reservations): a timed run for
// throughput and a paced run for latency. One copy, so every bench and its Map baseline are timed the same way.
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import vm from 'node:vm';
import { Histogram, type HistogramSummary } from './histogram.ts';

// A full collection before each run, so garbage left by the phase before is not collected, and billed, in the
// middle of this one. `gc` is only exposed behind a V8 flag; setting it at run time keeps the benches plain commands.
v8.setFlagsFromString('--expose-gc');
export const collectGarbage = vm.runInNewContext('gc') as () => void;

export const now = (): number => performance.now();

export interface TimedRun {
  perSecond: number;
  nsPerCommand: number;
  /** Commands per second of this process's CPU time: less sensitive than wall time to other processes. */
  perCpuSecond: number;
}

/**
 * Times `work`, which runs `count` commands. The loop lives in the caller's `work`, so each bench keeps the loop
 * shape it always had (inline, or a step callback per command) and its engine and baseline runs stay alike.
 */
export function timed(count: number, work: () => void): TimedRun {
  collectGarbage();
  const cpu = process.cpuUsage();
  const start = now();
  work();
  const seconds = (now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return { perSecond: count / seconds, nsPerCommand: (seconds * 1e9) / count, perCpuSecond: count / ((used.user + used.system) / 1e6) };
}

export interface Paced {
  rate: number;
  commands: number;
  /** Completion − intended start, in ns: what a client sees, queueing included. */
  latencyNs: HistogramSummary;
  /** Completion − actual start, in ns: the command's own cost, queueing excluded (for diagnosis only). */
  serviceNs: HistogramSummary;
  /** Commands that started later than their intended start by more than one interval. */
  startedLate: number;
  /** Achieved rate: whether the run kept up with the schedule overall. */
  achievedRate: number;
}

/**
 * Runs `step(i)` for i in [0, count) on a fixed schedule; latency is completion − intended start, so a slow
 * command delays the ones after it in the figures too (no coordinated omission). Between commands the thread
 * spins on the clock instead of sleeping: timers cannot wake it at microsecond precision, and a real sequencer at
 * this rate would be busy.
 */
export function paced(count: number, rate: number, step: (i: number) => void): Paced {
  const latency = new Histogram();
  const service = new Histogram();
  const intervalMs = 1000 / rate;
  let startedLate = 0;
  collectGarbage();
  // A little lead time so the first command is not already late because of the collection above.
  const start = now() + 1;
  for (let i = 0; i < count; i++) {
    const intended = start + i * intervalMs;
    let began = now();
    while (began < intended) began = now();
    step(i);
    const done = now();
    // Counted after `done`, so the check is not billed to the command's service time.
    if (began - intended > intervalMs) startedLate++;
    latency.record((done - intended) * 1e6);
    service.record((done - began) * 1e6);
  }
  const elapsedS = (now() - start) / 1000;
  return { rate, commands: count, latencyNs: latency.summary(), serviceNs: service.summary(), startedLate, achievedRate: count / elapsedS };
}
