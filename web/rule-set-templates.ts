// Starting points for the rule-set editor: one template per rule kind (the examples of docs/pricing.md), the
// stage each kind belongs to (a rule set lists its rules stage by stage), the choices of fields that take one of a
// few words, and the shapes a schedule or an adjustment may take. The server remains the judge of every value.

type Json = Record<string, unknown>;

const HOUR_MS = 3_600_000;

/** `now` anchors absolute windows; `basePriceMinor` makes tier and window prices plausible for this offer. */
export function ruleTemplate(kind: string, nowMs: number, basePriceMinor: number): Json {
  const pct = (bps: number) => Math.floor((basePriceMinor * bps) / 10_000);
  switch (kind) {
    case 'size_tiers':
      return { kind, tiers: [{ minSize: 3, priceMinor: pct(8_000) }, { minSize: 5, priceMinor: pct(7_000) }] };
    case 'time_decay_linear':
      return { kind, deadline: 'group', fromBeforeDeadlineMs: 12 * HOUR_MS, untilBeforeDeadlineMs: HOUR_MS, adjustmentBps: -1_500, stepMs: 300_000 };
    case 'time_decay_stepped':
      return { kind, deadline: 'offer', steps: [{ withinMs: 6 * HOUR_MS, adjustmentBps: -300 }, { withinMs: HOUR_MS, adjustmentBps: -800 }] };
    case 'window':
      return { kind, label: 'flash sale', schedule: scheduleTemplate('absolute', nowMs), adjustment: adjustmentTemplate('bps', basePriceMinor) };
    case 'scarcity':
      return { kind, measure: 'units_left', thresholds: [{ atMostLeft: 20, adjustmentBps: 500 }, { atMostLeft: 5, adjustmentBps: 1_500 }] };
    case 'demand_surge':
      return {
        kind,
        signal: 'joins_per_hour',
        halfLifeMs: 600_000,
        levels: [{ atLeast: 60, adjustmentBps: 300 }, { atLeast: 200, adjustmentBps: 800 }],
        hysteresisBps: 2_000,
        minDwellMs: 300_000,
        maxStepBps: 300,
        stepIntervalMs: 300_000,
      };
    case 'newcomer_discount':
      return { kind, discountBps: 1_000 };
    case 'member_tier_discount':
      return { kind, tiers: [{ tier: 'gold', discountBps: 500 }] };
    case 'leader_discount':
      return { kind, discountBps: 500 };
    case 'rounding':
      return { kind, unitMinor: 100, endingMinor: 90, direction: 'down' };
    case 'price_bounds':
      return { kind, floorBpsOfBase: 6_000 };
    default:
      return { kind };
  }
}

export function scheduleTemplate(type: string, nowMs: number): Json {
  switch (type) {
    case 'before_deadline':
      return { type, deadline: 'group', fromMs: HOUR_MS, untilMs: 0 };
    case 'daily':
      return { type, startMinute: 20 * 60, endMinute: 22 * 60 };
    default: {
      const start = Math.ceil(nowMs / HOUR_MS) * HOUR_MS;
      return { type: 'absolute', startMs: start, endMs: start + 2 * HOUR_MS };
    }
  }
}

export function adjustmentTemplate(type: string, basePriceMinor: number): Json {
  switch (type) {
    case 'amount':
      return { type, amountMinor: -500 };
    case 'price':
      return { type, priceMinor: Math.floor((basePriceMinor * 8_000) / 10_000) };
    default:
      return { type: 'bps', bps: -1_000 };
  }
}

/** Rule kinds in the order of their stages (docs/pricing.md, "Order of application"). */
export const RULE_KINDS_BY_STAGE: readonly (readonly [kind: string, stage: number])[] = [
  ['size_tiers', 1],
  ['time_decay_linear', 2],
  ['time_decay_stepped', 2],
  ['window', 3],
  ['scarcity', 4],
  ['demand_surge', 5],
  ['newcomer_discount', 6],
  ['member_tier_discount', 6],
  ['leader_discount', 6],
  ['rounding', 7],
  ['price_bounds', 8],
];

export function stageOf(kind: string): number {
  return RULE_KINDS_BY_STAGE.find(([name]) => name === kind)?.[1] ?? 99;
}

/** Fields whose value is one of a few words, by field name. */
export const CHOICES: Record<string, readonly string[]> = {
  deadline: ['group', 'offer'],
  measure: ['units_left', 'share_left_bps'],
  signal: ['joins_per_hour', 'bids_per_hour', 'queue_length', 'utilization_bps'],
  direction: ['down', 'up', 'nearest'],
};

/** Objects whose `type` picks their shape: changing it replaces the object with that shape's template. */
export const SHAPES: Record<string, { types: readonly string[]; template: (type: string, nowMs: number, basePriceMinor: number) => Json }> = {
  schedule: { types: ['absolute', 'before_deadline', 'daily'], template: (type, nowMs) => scheduleTemplate(type, nowMs) },
  adjustment: { types: ['bps', 'amount', 'price'], template: (type, _nowMs, base) => adjustmentTemplate(type, base) },
};
