// Many short seeds of the fault-injecting simulator (docs/simulation-testing.md). A failure names its seed and
// step and prints the line that replays it:
//   SEED=<seed> STEPS=<step> npx vitest run test/fault-sim        (TRACE=1 prints every delivery)
// The long run is a separate script: npm run sim:faults -- --seeds 10000 --steps 2000
import { describe, expect, it } from 'vitest';
import { Prng } from './prng.ts';
import { profileFor } from './profile.ts';
import { simulate, type SimReport } from './simulation.ts';

/** 200 seeds of 100 steps: about 20 000 steps, a few seconds of CPU; the long run goes deeper. */
const SEEDS = 200;
const STEPS = 100;

function replayRequest(): { seed: number; steps: number; trace: boolean } | null {
  const seed = process.env.SEED;
  if (seed === undefined || seed === '') return null;
  const steps = Number(process.env.STEPS ?? STEPS);
  if (!Number.isSafeInteger(Number(seed)) || !Number.isSafeInteger(steps)) throw new Error(`SEED and STEPS must be integers, got SEED=${seed} STEPS=${process.env.STEPS}`);
  return { seed: Number(seed), steps, trace: process.env.TRACE === '1' };
}

/**
 * What the seeds must have exercised between them: every fault, both stores, both modes. A simulator whose faults
 * stopped firing would pass vacuously; this keeps it honest.
 */
const EXPECTED = [
  'delivery: client',
  'delivery: reordered',
  'delivery: duplicate',
  'delivery: retry',
  'delivery: tick: at deadline',
  'delivery: tick: late',
  'delivery: tick: now',
  'delivery: tick: repeated',
  'late delivery: older nowMs than the engine clock',
  'fault: time jump without ticks',
  'keyed duplicate answered from memory: join_group',
  'keyed duplicate answered from memory: match_group',
  'keyed duplicate answered from memory: open_group',
  'keyed duplicate answered from memory: leave_group',
  'keyed duplicate answered from memory: edit_offer',
  'refused: idempotency_key_reused',
  'fault: bad input (wrong_type)',
  'fault: bad input (bad_id)',
  'fault: bad input (bad_time)',
  'fault: bad input (unknown_field)',
  'fault: bad input (not_an_object)',
  'checkpoint: memory',
  'checkpoint: file',
  'crash: restored from the memory store',
  'crash: restored from the file store',
  'crash: restored from the previous snapshot',
  'accepted: set_rule_set',
  'refused: sold_out',
  'refused: too_many_groups',
  'refused: capacity_exceeded',
  'event: group_completed (deadline)',
  'event: group_completed (full)',
  'event: group_failed (deadline)',
  'event: group_failed (empty)',
  'event: price_changed',
];

describe('fault-injecting simulation of the engine', () => {
  it(`holds every check over ${SEEDS} seeds × ${STEPS} steps of faults (or the seed in SEED)`, async () => {
    const replay = replayRequest();
    if (replay !== null) {
      const trace = replay.trace ? (line: string) => process.stdout.write(`${line}\n`) : undefined;
      const report = await simulate({ seed: replay.seed, steps: replay.steps, ...(trace ? { trace } : {}) });
      expect(report.steps).toBe(replay.steps);
      return;
    }
    const seen = new Map<string, number>();
    const modes = new Set<string>();
    for (let seed = 1; seed <= SEEDS; seed++) {
      const report = await simulate({ seed, steps: STEPS });
      for (const [what, n] of report.counts) seen.set(what, (seen.get(what) ?? 0) + n);
      modes.add(report.profile.split(',')[0]!);
    }
    expect(EXPECTED.filter((what) => !seen.has(what)), 'faults and outcomes no seed reached').toEqual([]);
    expect([...modes].sort()).toEqual(['engine_only mode', 'reference mode']);
  });

  it('replays a seed exactly: the same command sequence and the same final state', async () => {
    // One seed of each store, so the file store's choices are replayed too.
    const fileSeed = [...Array(64).keys()].map((i) => i + 1).find((seed) => profileFor(seed, new Prng(seed)).store === 'file')!;
    const memorySeed = [...Array(64).keys()].map((i) => i + 1).find((seed) => profileFor(seed, new Prng(seed)).store === 'memory')!;
    for (const seed of [memorySeed, fileSeed]) {
      const runs: SimReport[] = [await simulate({ seed, steps: 150 }), await simulate({ seed, steps: 150 })];
      const [first, second] = runs.map((report) => ({ digest: report.digest, deliveries: report.deliveries, finalStateHash: report.finalStateHash, counts: [...report.counts] }));
      expect(second, `seed ${seed}`).toEqual(first);
      expect(first!.deliveries).toBeGreaterThan(100);
    }
    // A different seed is a different run.
    expect((await simulate({ seed: memorySeed + 1_000, steps: 150 })).digest).not.toBe((await simulate({ seed: memorySeed, steps: 150 })).digest);
  });
});
