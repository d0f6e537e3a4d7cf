// Demand surge: integer smoothing that hardly depends on how often it is evaluated, hysteresis and dwell that
// stop flapping, and a step limit on how fast the applied adjustment moves.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { advanceSurge, decayPpm, evaluate, type DemandSignals, type RuleOfKind, type SurgeState } from '../../pricing/index.ts';
import { HOUR_MS, MINUTE_MS, contextWith, ruleSetOf } from './fixtures.ts';

const NOW = 1_000 * HOUR_MS;
const quiet: DemandSignals = { joinsSinceSurgeUpdate: 0, bidsSinceSurgeUpdate: 0, queueLength: 0, utilizationBps: 0 };
const joins = (count: number): DemandSignals => ({ ...quiet, joinsSinceSurgeUpdate: count });

function surgeRule(overrides: Partial<RuleOfKind<'demand_surge'>> = {}): RuleOfKind<'demand_surge'> {
  const rule = {
    kind: 'demand_surge',
    signal: 'joins_per_hour',
    halfLifeMs: 10 * MINUTE_MS,
    levels: [{ atLeast: 60, adjustmentBps: 300 }, { atLeast: 200, adjustmentBps: 800 }],
    hysteresisBps: 2_000,
    minDwellMs: 0,
    maxStepBps: 300,
    stepIntervalMs: 5 * MINUTE_MS,
    ...overrides,
  };
  return ruleSetOf([rule]).rules[0] as RuleOfKind<'demand_surge'>;
}

/** Feeds `count` joins at `everyMs` apart, evaluating after each `batch` joins; returns the final state. */
function feed(rule: RuleOfKind<'demand_surge'>, count: number, everyMs: number, batch: number, start: SurgeState | null = null): SurgeState {
  let state = start;
  let pending = 0;
  for (let i = 1; i <= count; i++) {
    pending++;
    if (pending === batch || i === count) {
      state = advanceSurge(rule, state, joins(pending), NOW + i * everyMs);
      pending = 0;
    }
  }
  return state!;
}

describe('surge smoothing', () => {
  it('halves every half-life, exactly at whole half-lives', () => {
    expect([0, 600, 1_200, 300].map((s) => decayPpm(s * 1_000, 600_000))).toEqual([1_000_000, 500_000, 250_000, 707_107]);
  });

  it('decays over two steps as over their sum, to within rounding', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 4 * HOUR_MS }), fc.integer({ min: 0, max: 4 * HOUR_MS }), fc.integer({ min: 1_000, max: HOUR_MS }), (a, b, halfLife) => {
        const split = (decayPpm(a, halfLife) * decayPpm(b, halfLife)) / 1_000_000;
        // Each factor is within ~16 ppm of 2^−x (linear interpolation in 1/64 slices), so a product is within ~30.
        expect(Math.abs(split - decayPpm(a + b, halfLife))).toBeLessThanOrEqual(40);
        expect(decayPpm(a + b, halfLife)).toBeLessThanOrEqual(decayPpm(a, halfLife));
      }),
    );
  });

  it('settles on the true rate, whether evaluated at every join or in short batches', () => {
    const rule = surgeRule({ levels: [{ atLeast: 10_000, adjustmentBps: 300 }] });
    // A join a minute for two hours: 60 an hour.
    const slow = feed(rule, 120, MINUTE_MS, 1).smoothedMilli / 1_000;
    expect(slow).toBeGreaterThan(57);
    expect(slow).toBeLessThan(63);
    // A join every 10 s (360 an hour), evaluated at each join or every 30 s: counts are attributed to the
    // evaluation, so batching adds a small sawtooth, no bias worth a price level.
    const everyJoin = feed(rule, 720, 10_000, 1).smoothedMilli / 1_000;
    const batched = feed(rule, 720, 10_000, 3).smoothedMilli / 1_000;
    expect(Math.abs(everyJoin - 360) / 360).toBeLessThan(0.03);
    expect(Math.abs(batched - everyJoin) / everyJoin).toBeLessThan(0.03);
  });

  it('moves a level signal toward its sample and never past it', () => {
    const rule = surgeRule({ signal: 'queue_length', levels: [{ atLeast: 500, adjustmentBps: 300 }] });
    let state = advanceSurge(rule, null, { ...quiet, queueLength: 100 }, NOW);
    expect(state.smoothedMilli).toBe(100_000);
    state = advanceSurge(rule, state, { ...quiet, queueLength: 300 }, NOW + 10 * MINUTE_MS);
    expect(state.smoothedMilli).toBe(200_000);
    for (let i = 2; i < 40; i++) state = advanceSurge(rule, state, { ...quiet, queueLength: 300 }, NOW + i * 10 * MINUTE_MS);
    expect(state.smoothedMilli).toBe(300_000);
  });

  it('starts over when the state smooths another signal (the rule was edited)', () => {
    const busy = feed(surgeRule(), 100, 10_000, 1);
    const queue = advanceSurge(surgeRule({ signal: 'queue_length' }), busy, { ...quiet, queueLength: 7 }, NOW + HOUR_MS);
    expect(queue).toMatchObject({ signal: 'queue_length', smoothedMilli: 7_000, level: -1, appliedBps: 0 });
  });
});

describe('surge levels and steps', () => {
  it('ramps the applied adjustment by at most one step per interval', () => {
    const rule = surgeRule();
    // A burst of 300 joins: far above the top level at once.
    let state = advanceSurge(rule, null, joins(300), NOW);
    expect(state.level).toBe(1);
    const applied = [state.appliedBps];
    for (let i = 1; i <= 3; i++) {
      state = advanceSurge(rule, state, joins(100), state.updatedAtMs + 5 * MINUTE_MS);
      applied.push(state.appliedBps);
    }
    expect(applied).toEqual([300, 600, 800, 800]);
  });

  it('does not flap while the signal hovers around a threshold (hysteresis)', () => {
    // 0, 1 or 2 joins a minute in a fixed pattern: about 60 an hour, right at the first level's threshold.
    const levelChanges = (hysteresisBps: number) => {
      const rule = surgeRule({ halfLifeMs: 5 * MINUTE_MS, hysteresisBps, maxStepBps: 10_000, stepIntervalMs: 1_000 });
      let state: SurgeState | null = null;
      let changes = 0;
      for (let minute = 1; minute <= 240; minute++) {
        const next = advanceSurge(rule, state, joins((minute * 7) % 3), NOW + minute * MINUTE_MS);
        if (next.level !== (state?.level ?? -1)) changes++;
        state = next;
      }
      return changes;
    };
    expect(levelChanges(0)).toBeGreaterThan(5);
    expect(levelChanges(2_000)).toBeLessThanOrEqual(1);
  });

  it('holds a level for its minimum dwell before leaving it', () => {
    const rule = surgeRule({ minDwellMs: 30 * MINUTE_MS, maxStepBps: 10_000 });
    const busy = feed(rule, 120, 10_000, 1);
    expect(busy.level).toBe(1);
    const afterTen = advanceSurge(rule, busy, quiet, busy.levelSinceMs + 10 * MINUTE_MS);
    expect(afterTen.level).toBe(1);
    const afterHour = advanceSurge(rule, afterTen, quiet, busy.levelSinceMs + HOUR_MS);
    expect(afterHour.level).toBe(-1);
  });

  it('never moves the applied adjustment by more than a step within an interval (property)', () => {
    const rule = surgeRule({ maxStepBps: 150, stepIntervalMs: 3 * MINUTE_MS });
    fc.assert(
      fc.property(fc.array(fc.record({ gapMs: fc.integer({ min: 0, max: 10 * MINUTE_MS }), count: fc.integer({ min: 0, max: 60 }) }), { maxLength: 60 }), (steps) => {
        let state = advanceSurge(rule, null, quiet, NOW);
        let nowMs = NOW;
        for (const step of steps) {
          nowMs += step.gapMs;
          const next = advanceSurge(rule, state, joins(step.count), nowMs);
          expect(Math.abs(next.appliedBps - state.appliedBps)).toBeLessThanOrEqual(150);
          if (next.appliedBps !== state.appliedBps && state.lastStepAtMs !== null) expect(nowMs - state.lastStepAtMs).toBeGreaterThanOrEqual(3 * MINUTE_MS);
          state = next;
        }
      }),
    );
  });

  it('shows in the price and the explanation, with where it is heading', () => {
    const rule = surgeRule();
    const state = advanceSurge(rule, null, joins(300), NOW);
    const result = evaluate(ruleSetOf([rule]), contextWith({ nowMs: state.updatedAtMs, surge: state }));
    expect(result.priceMinor).toBe(10_300);
    expect(result.explanation[1]).toMatchObject({ rule: 'demand_surge', deltaMinor: 300 });
    expect(result.explanation[1]!.detail).toMatch(/level 2 of 2\): \+3 %, moving toward \+8 %/);
    expect(result.wakeAtMs).toBe(state.lastStepAtMs! + 5 * MINUTE_MS);
  });
});
