// Runs one simulation for the web console in its own process (spawned by web-simulations.ts), so a run that takes
// seconds of CPU never stalls the gateway's sockets, and can be stopped by killing it. Reads its task from argv,
// writes report.json and report.html into the task's directory, and reports progress and the outcome as lines on
// stdout starting with `@sim `. The in-process run is synchronous, so progress is written with a blocking write:
// an asynchronous one would wait for the run to end before leaving the process.
import { writeSync } from 'node:fs';
import { loadScenarioFile, runScenario, writeReport } from '../simulations/index.ts';

export interface SimulationTask {
  scenarioPath: string;
  outDir: string;
  /** `path=value` overrides, as `npm run sim -- --set` takes them. */
  set: string[];
  seed?: number;
}

export type SimulationMessage =
  | { type: 'progress'; fraction: number; variant: string }
  | { type: 'done'; json: string; html: string }
  | { type: 'failed'; message: string };

export const MESSAGE_PREFIX = '@sim ';

function send(message: SimulationMessage): void {
  writeSync(1, `${MESSAGE_PREFIX}${JSON.stringify(message)}\n`);
}

async function main(): Promise<void> {
  const task = JSON.parse(process.argv[2] ?? '{}') as SimulationTask;
  try {
    const loaded = loadScenarioFile(task.scenarioPath, { set: task.set, ...(task.seed !== undefined ? { seed: task.seed } : {}) });
    let lastSentMs = 0;
    const report = await runScenario(loaded, {
      mode: 'in-process',
      onProgress: (fraction, variant) => {
        // At most ten a second: progress is for a person watching a bar.
        const now = Date.now();
        if (now - lastSentMs < 100 && fraction < 1) return;
        lastSentMs = now;
        send({ type: 'progress', fraction, variant });
      },
    });
    send({ type: 'done', ...writeReport(report, task.outDir) });
  } catch (error) {
    send({ type: 'failed', message: (error as Error).message });
  }
}

// Only when run as the child; importing the module for its types runs nothing.
if (process.argv[1]?.endsWith('simulation-child.ts')) void main();
