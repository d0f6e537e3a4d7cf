// Live runs happen in real time, so the scenario's timeline is compressed by `timeScale` (simulated ms per real
// ms): a 24 h group window at timeScale 1440 lasts a real minute. Durations in the offer's settings (a group's
// window; an auction's soft close and Dutch clock step; a reservation's hold, extension and aging) and in its rule
// set are divided by it; absolute times are mapped onto the run's real clock. Where the pricing schema has a
// floor (steps, intervals and half-lives of at least a second), a duration that would fall below it is raised to
// it and the run's report says so: such a rule then acts slower, in simulated time, than the scenario asked.
import type { CreateOfferFields } from '../timeline.ts';

/** Rule-set keys holding absolute times (the absolute window schedule); every other `…Ms` key is a duration. */
const ABSOLUTE_KEYS = new Set(['startMs', 'endMs']);
/** Rule-set durations whose schema minimum is a second. */
const ONE_SECOND_FLOOR_KEYS = new Set(['stepMs', 'intervalMs', 'stepIntervalMs', 'halfLifeMs']);

export interface TimeMap {
  timeScale: number;
  /** Simulated start, and the real (server clock) instant it maps to. */
  simStartMs: number;
  realStartMs: number;
}

export function toRealMs(map: TimeMap, simMs: number): number {
  return Math.round(map.realStartMs + (simMs - map.simStartMs) / map.timeScale);
}

export function toSimMs(map: TimeMap, realMs: number): number {
  return Math.round(map.simStartMs + (realMs - map.realStartMs) * map.timeScale);
}

export function scaleDurationMs(map: TimeMap, ms: number): number {
  return Math.max(1, Math.round(ms / map.timeScale));
}

/** The create_offer fields for the live server: real times, scaled durations, the live offer id. */
export function scaleOfferFields(fields: CreateOfferFields, map: TimeMap, liveOfferId: string, warnings: string[]): CreateOfferFields {
  const scaled: CreateOfferFields = { ...fields, offerId: liveOfferId };
  if (fields.startMs !== undefined) scaled.startMs = toRealMs(map, fields.startMs);
  if (fields.endMs !== undefined) scaled.endMs = toRealMs(map, fields.endMs);
  scaled.mechanism = scaleMechanism(fields.mechanism as Record<string, unknown>, map) as CreateOfferFields['mechanism'];
  if (fields.ruleSet !== undefined) scaled.ruleSet = scaleRuleSet(fields.ruleSet, map, `offers.${fields.offerId}.ruleSet`, warnings);
  return scaled;
}

/** The mechanism's durations scaled (every `…Ms` field of the settings and of their nested objects is a duration). */
function scaleMechanism(mechanism: Record<string, unknown>, map: TimeMap): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(mechanism)) {
    if (typeof value === 'number' && key.endsWith('Ms')) out[key] = value === 0 ? 0 : scaleDurationMs(map, value);
    else if (typeof value === 'object' && value !== null && !Array.isArray(value)) out[key] = scaleMechanism(value as Record<string, unknown>, map);
    else out[key] = value;
  }
  return out;
}

function scaleRuleSet(node: unknown, map: TimeMap, path: string, warnings: string[]): unknown {
  if (Array.isArray(node)) return node.map((item, i) => scaleRuleSet(item, map, `${path}.${i}`, warnings));
  if (typeof node !== 'object' || node === null) return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    if (typeof value === 'number' && key.endsWith('Ms')) {
      if (ABSOLUTE_KEYS.has(key)) out[key] = toRealMs(map, value);
      else {
        let ms = value === 0 ? 0 : scaleDurationMs(map, value);
        if (ONE_SECOND_FLOOR_KEYS.has(key) && ms < 1_000) {
          warnings.push(`${path}.${key}: ${value} ms ÷ timeScale ${map.timeScale} is below the 1 s minimum; raised to 1 s`);
          ms = 1_000;
        }
        out[key] = ms;
      }
    } else {
      out[key] = scaleRuleSet(value, map, `${path}.${key}`, warnings);
    }
  }
  return out;
}
