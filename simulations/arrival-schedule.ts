// Feeds every arrival process of a scenario into a driver's agenda, one pending arrival per process at a time
// (the next is drawn when the last one runs), numbering shoppers in arrival order. Arrivals fall in
// [start, start + duration); later offsets of bursts and traces are dropped.
import { arrivalStream } from './arrivals.ts';
import { streamFor } from './random.ts';
import type { Scenario } from './scenario-schema.ts';

export interface Agenda {
  /** Queues `task` at simulated time `atMs` and counts it as pending work until it runs. */
  scheduleWork(atMs: number, task: () => void): void;
}

export function scheduleArrivals(scenario: Scenario, agenda: Agenda, arrive: (index: number) => void): void {
  let index = 0;
  const processes = Array.isArray(scenario.shoppers.arrival) ? scenario.shoppers.arrival : [scenario.shoppers.arrival];
  processes.forEach((process, j) => {
    const stream = arrivalStream(process, streamFor(scenario.seed, `arrivals:${j}`), scenario.duration);
    const scheduleNext = () => {
      const offset = stream.next();
      if (offset === null || offset >= scenario.duration) return;
      agenda.scheduleWork(scenario.startAt + offset, () => {
        arrive(index++);
        scheduleNext();
      });
    };
    scheduleNext();
  });
}
