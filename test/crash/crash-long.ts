// The long crash run (`npm run crash:long`): many more kill -9 than the `npm test` version, for both stores,
// printing progress and a report. Options: --kills N (per store, default 100), --store file|redis|both,
// --seed N (default: random; CRASH_SEED works too), --answers MIN-MAX (answers between restart and kill).
// Exits non-zero on the first failure, whose message names the seed to reproduce it.
import { parseArgs } from 'node:util';
import { crashSeed } from './seed.ts';
import { runCrashScenario, type ScenarioReport } from './scenario.ts';

const { values } = parseArgs({
  options: {
    kills: { type: 'string', default: '100' },
    store: { type: 'string', default: 'both' },
    seed: { type: 'string' },
    answers: { type: 'string', default: '20-1500' },
  },
});

const kills = Number(values.kills);
const [minAnswers, maxAnswers] = values.answers.split('-').map(Number) as [number, number];
if (!Number.isSafeInteger(kills) || kills < 1) throw new Error('--kills must be a positive integer');
if (!(minAnswers >= 1 && maxAnswers >= minAnswers)) throw new Error('--answers must look like 20-1500');
const stores = values.store === 'both' ? (['file', 'redis'] as const) : [values.store as 'file' | 'redis'];
const seed = values.seed !== undefined ? Number(values.seed) : crashSeed();

const reports: ScenarioReport[] = [];
for (const store of stores) {
  const startedAt = performance.now();
  process.stdout.write(`crash:long ${store} store, ${kills} kills, seed ${seed}\n`);
  const report = await runCrashScenario({
    store,
    kills,
    seed,
    answersBeforeKill: [minAnswers, maxAnswers],
    log: (line) => process.stdout.write(`  ${line}\n`),
  });
  reports.push(report);
  process.stdout.write(`  done in ${((performance.now() - startedAt) / 1_000).toFixed(1)} s: ${JSON.stringify(report)}\n`);
}
process.stdout.write(`crash:long passed (${reports.map((r) => `${r.store}: ${r.kills} kills, ${r.journalEntries} entries`).join('; ')}), seed ${seed}\n`);
