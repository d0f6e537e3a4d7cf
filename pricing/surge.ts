// Demand surge: a smoothed demand signal, a level chosen with hysteresis, and an applied adjustment that moves
// toward the level's target by a bounded step per interval. Three separate brakes, because each stops a
// different kind of flapping: smoothing ignores single bursts, hysteresis (a lower exit threshold and a minimum
// dwell) stops a signal hovering at a threshold from toggling a level, and the step limit turns a jump of the
// target into a ramp. All state is passed in and handed back; nothing here remembers anything.
//
// Smoothing is an exponentially weighted moving average with a half-life, computed in integers:
// - rate signals (joins or bids per hour): every event adds ln 2 / halfLife × 3.6e6 per hour, and the whole
//   value halves every half-life. Counts are attributed to the evaluation time, so the result hardly depends on
//   how often the caller evaluates (decay over two steps equals decay over their sum, up to rounding).
// - level signals (queue length, utilization): the value moves toward the current sample, keeping
//   2^(−elapsed / halfLife) of the gap, rounded toward the sample so it never overshoots it.
import type { DemandSignals, SurgeState } from './context.ts';
import { clamp, floorDiv, truncDiv } from './integer-math.ts';
import { PRICING_LIMITS, type DemandSurgeRule, type SurgeSignal } from './rule-kinds.ts';

/** 2^(−k/64) in parts per million for k = 0 … 64, so decay needs no floating-point `pow` (which may differ by platform). */
const DECAY_TABLE_PPM = [
  1000000, 989228, 978572, 968031, 957603, 947288, 937084, 926990, 917004, 907126, 897355, 887688, 878126, 868667, 859310, 850053, 840896, 831838,
  822878, 814014, 805245, 796571, 787990, 779502, 771105, 762799, 754582, 746454, 738413, 730459, 722590, 714807, 707107, 699490, 691955, 684501,
  677128, 669834, 662618, 655481, 648420, 641435, 634525, 627690, 620929, 614240, 607624, 601078, 594604, 588198, 581862, 575595, 569394, 563261,
  557193, 551191, 545254, 539380, 533570, 527823, 522137, 516512, 510949, 505445, 500000,
] as const;

const PPM = 1_000_000;
/** ln 2 in parts per million: an event's weight in a rate average with half-life H is ln 2 / H. */
const LN2_PPM = 693_147;
const MILLI_PER_HOUR_MS = 3_600_000 * 1_000;
const SMOOTHED_MILLI_MAX = PRICING_LIMITS.signalMax * 1_000;

/** The share of a smoothed value kept after `elapsedMs`: 2^(−elapsed/halfLife) in ppm, rounded down. */
export function decayPpm(elapsedMs: number, halfLifeMs: number): number {
  if (elapsedMs <= 0) return PPM;
  const halvings = floorDiv(elapsedMs, halfLifeMs);
  if (halvings >= 32) return 0;
  // Within one half-life: the 1/64 slice of the table, interpolated linearly; the chord lies at most ~16 ppm
  // above the curve, far below anything a price level can notice.
  const scaled = (elapsedMs - halvings * halfLifeMs) * 64;
  const index = floorDiv(scaled, halfLifeMs);
  const within = scaled - index * halfLifeMs;
  const high = DECAY_TABLE_PPM[index]!;
  const low = DECAY_TABLE_PPM[index + 1]!;
  const fraction = high - floorDiv((high - low) * within, halfLifeMs);
  return Math.floor(fraction / 2 ** halvings);
}

/** What one event adds to a rate average, in thousandths of an event per hour. */
export function eventWeightMilli(halfLifeMs: number): number {
  return floorDiv(MILLI_PER_HOUR_MS * LN2_PPM, halfLifeMs * PPM);
}

function isRateSignal(signal: SurgeSignal): boolean {
  return signal === 'joins_per_hour' || signal === 'bids_per_hour';
}

/** The raw input of a signal: an event count for rates, the current level otherwise; clamped to the signal range. */
function rawInput(signal: SurgeSignal, demand: DemandSignals): number {
  switch (signal) {
    case 'joins_per_hour':
      return clamp(demand.joinsSinceSurgeUpdate, 0, PRICING_LIMITS.signalMax);
    case 'bids_per_hour':
      return clamp(demand.bidsSinceSurgeUpdate, 0, PRICING_LIMITS.signalMax);
    case 'queue_length':
      return clamp(demand.queueLength, 0, PRICING_LIMITS.signalMax);
    case 'utilization_bps':
      return clamp(demand.utilizationBps, 0, 10_000);
  }
}

function smooth(rule: DemandSurgeRule, previousMilli: number, elapsedMs: number, input: number): number {
  const keep = decayPpm(elapsedMs, rule.halfLifeMs);
  if (isRateSignal(rule.signal)) {
    const decayed = floorDiv(previousMilli * keep, PPM);
    return Math.min(SMOOTHED_MILLI_MAX, decayed + input * eventWeightMilli(rule.halfLifeMs));
  }
  const sampleMilli = input * 1_000;
  return sampleMilli + truncDiv((previousMilli - sampleMilli) * keep, PPM);
}

/** The highest level whose entry threshold the smoothed signal reaches, or −1. */
function enteredLevel(rule: DemandSurgeRule, smoothedMilli: number): number {
  let level = -1;
  for (let index = 0; index < rule.levels.length; index++) {
    if (smoothedMilli < rule.levels[index]!.atLeast * 1_000) break;
    level = index;
  }
  return level;
}

/** The highest level ≤ `upTo` whose (lower) exit threshold the signal still reaches, or −1. */
function heldLevel(rule: DemandSurgeRule, smoothedMilli: number, upTo: number): number {
  for (let index = upTo; index >= 0; index--) {
    const exitTimes10k = rule.levels[index]!.atLeast * 1_000 * (10_000 - rule.hysteresisBps);
    if (smoothedMilli * 10_000 >= exitTimes10k) return index;
  }
  return -1;
}

export function surgeTargetBps(rule: DemandSurgeRule, level: number): number {
  return level >= 0 ? rule.levels[level]!.adjustmentBps : 0;
}

/**
 * The surge state at `nowMs`, from the previous one and the demand since. A missing state, or one for another
 * signal, starts fresh (rates from 0, levels from the current sample). Time never runs backwards here: an
 * older `nowMs` than the state's is treated as the state's own time.
 */
export function advanceSurge(rule: DemandSurgeRule, previous: SurgeState | null, demand: DemandSignals, nowMs: number): SurgeState {
  const input = rawInput(rule.signal, demand);
  const fresh = previous === null || previous.signal !== rule.signal;
  const start: SurgeState = fresh
    ? { signal: rule.signal, updatedAtMs: nowMs, smoothedMilli: isRateSignal(rule.signal) ? 0 : input * 1_000, level: -1, levelSinceMs: nowMs, appliedBps: 0, lastStepAtMs: null }
    : previous;
  const atMs = Math.max(nowMs, start.updatedAtMs);
  const smoothedMilli = clamp(smooth(rule, start.smoothedMilli, atMs - start.updatedAtMs, input), 0, SMOOTHED_MILLI_MAX);

  // A rule edited to fewer levels: the state's level is read as the highest one that still exists.
  const current = Math.min(start.level, rule.levels.length - 1);
  const entered = enteredLevel(rule, smoothedMilli);
  let level = current;
  if (entered > current) level = entered;
  else if (entered < current && atMs - start.levelSinceMs >= rule.minDwellMs) level = heldLevel(rule, smoothedMilli, current);
  const levelSinceMs = level === start.level ? start.levelSinceMs : atMs;

  const target = surgeTargetBps(rule, level);
  let appliedBps = start.appliedBps;
  let lastStepAtMs = start.lastStepAtMs;
  if (appliedBps !== target && (lastStepAtMs === null || atMs - lastStepAtMs >= rule.stepIntervalMs)) {
    appliedBps += clamp(target - appliedBps, -rule.maxStepBps, rule.maxStepBps);
    lastStepAtMs = atMs;
  }
  return { signal: rule.signal, updatedAtMs: atMs, smoothedMilli, level, levelSinceMs, appliedBps, lastStepAtMs };
}

/**
 * When the surge adjustment may next change with no new input, or null when it is at rest: the next allowed step
 * while it ramps toward its target, else one step interval later while the smoothed signal is still moving.
 */
export function surgeWakeAtMs(rule: DemandSurgeRule, state: SurgeState, demand: DemandSignals): number | null {
  if (state.appliedBps !== surgeTargetBps(rule, state.level)) return (state.lastStepAtMs ?? state.updatedAtMs) + rule.stepIntervalMs;
  const restingMilli = isRateSignal(rule.signal) ? 0 : rawInput(rule.signal, demand) * 1_000;
  if (state.smoothedMilli === restingMilli && enteredLevel(rule, state.smoothedMilli) === state.level) return null;
  return state.updatedAtMs + rule.stepIntervalMs;
}
