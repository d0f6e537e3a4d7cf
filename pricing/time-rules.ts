// Time-driven rule inputs: time left before a deadline, the linear and stepped decay ramps, and when a window
// is in force — each with the moment it next changes, so the engine can wake itself exactly then instead of
// polling. Times are ms since the epoch from the context; the local day comes from the offer's UTC offset.
import type { PricingContext } from './context.ts';
import { floorDiv, positiveMod } from './integer-math.ts';
import type { RuleOfKind, WindowSchedule } from './rule-kinds.ts';

const MS_PER_MINUTE = 60_000;
const MS_PER_DAY = 86_400_000;

/** The deadline a rule counts down to, or null when the context has none (the rule is then not in force). */
export function deadlineOf(ctx: PricingContext, anchor: 'group' | 'offer'): number | null {
  return anchor === 'group' ? ctx.groupDeadlineMs : ctx.offerEndMs;
}

/**
 * The adjustment of a linear ramp at `nowMs`: 0 until `fromBeforeDeadlineMs` before the deadline, the full
 * adjustment from `untilBeforeDeadlineMs` before it (and after it), in between proportional to the whole steps
 * elapsed — rounded down, toward the lower price. Returns null when the ramp has not started.
 */
export function linearDecayBps(rule: RuleOfKind<'time_decay_linear'>, deadlineMs: number, nowMs: number): number | null {
  const startMs = deadlineMs - rule.fromBeforeDeadlineMs;
  if (nowMs < startMs) return null;
  const spanMs = rule.fromBeforeDeadlineMs - rule.untilBeforeDeadlineMs;
  const elapsedMs = Math.min(nowMs - startMs, spanMs);
  const steppedMs = elapsedMs === spanMs ? spanMs : floorDiv(elapsedMs, rule.stepMs) * rule.stepMs;
  return floorDiv(rule.adjustmentBps * steppedMs, spanMs);
}

/** When the linear ramp's adjustment next changes after `nowMs`, or null once it is complete. */
export function linearDecayWakeAtMs(rule: RuleOfKind<'time_decay_linear'>, deadlineMs: number, nowMs: number): number | null {
  const startMs = deadlineMs - rule.fromBeforeDeadlineMs;
  const endMs = deadlineMs - rule.untilBeforeDeadlineMs;
  if (nowMs >= endMs) return null;
  // At the ramp's start the adjustment is still 0; the first change is one step in.
  const stepsDone = nowMs < startMs ? 1 : floorDiv(nowMs - startMs, rule.stepMs) + 1;
  return Math.min(startMs + stepsDone * rule.stepMs, endMs);
}

/** The index of the step in force (the last whose `withinMs` has been reached), or −1. */
export function steppedDecayIndex(rule: RuleOfKind<'time_decay_stepped'>, deadlineMs: number, nowMs: number): number {
  const leftMs = deadlineMs - nowMs;
  let index = -1;
  for (let i = 0; i < rule.steps.length; i++) {
    if (leftMs > rule.steps[i]!.withinMs) break;
    index = i;
  }
  return index;
}

export function steppedDecayWakeAtMs(rule: RuleOfKind<'time_decay_stepped'>, deadlineMs: number, nowMs: number): number | null {
  const next = rule.steps[steppedDecayIndex(rule, deadlineMs, nowMs) + 1];
  return next ? deadlineMs - next.withinMs : null;
}

/** Minutes since local midnight, from the epoch time and the offer's offset: no calendar, no time zone database. */
export function minuteOfDay(nowMs: number, utcOffsetMinutes: number): number {
  return floorDiv(positiveMod(nowMs + utcOffsetMinutes * MS_PER_MINUTE, MS_PER_DAY), MS_PER_MINUTE);
}

/** `[startMs, endMs)` of a window that is absolute or relative to a deadline; null when its deadline is unknown. */
function windowSpan(schedule: Exclude<WindowSchedule, { type: 'daily' }>, ctx: PricingContext): [number, number] | null {
  if (schedule.type === 'absolute') return [schedule.startMs, schedule.endMs];
  const deadlineMs = deadlineOf(ctx, schedule.deadline);
  return deadlineMs === null ? null : [deadlineMs - schedule.fromMs, deadlineMs - schedule.untilMs];
}

export function windowInForce(schedule: WindowSchedule, ctx: PricingContext): boolean {
  if (schedule.type === 'daily') {
    const minute = minuteOfDay(ctx.nowMs, ctx.utcOffsetMinutes);
    const { startMinute, endMinute } = schedule;
    return startMinute < endMinute ? minute >= startMinute && minute < endMinute : minute >= startMinute || minute < endMinute;
  }
  const span = windowSpan(schedule, ctx);
  return span !== null && ctx.nowMs >= span[0] && ctx.nowMs < span[1];
}

/** The next moment after `nowMs` at which the window opens or closes, or null when it never will again. */
export function windowWakeAtMs(schedule: WindowSchedule, ctx: PricingContext): number | null {
  const nowMs = ctx.nowMs;
  if (schedule.type === 'daily') {
    const midnightMs = nowMs - positiveMod(nowMs + ctx.utcOffsetMinutes * MS_PER_MINUTE, MS_PER_DAY);
    return Math.min(nextMinuteAtMs(midnightMs, schedule.startMinute, nowMs), nextMinuteAtMs(midnightMs, schedule.endMinute, nowMs));
  }
  const span = windowSpan(schedule, ctx);
  if (span === null) return null;
  if (nowMs < span[0]) return span[0];
  if (nowMs < span[1]) return span[1];
  return null;
}

/** The next time after `nowMs` that local clocks show `minute` (a plain function: closures here cost a lot per call). */
function nextMinuteAtMs(midnightMs: number, minute: number, nowMs: number): number {
  const atMs = midnightMs + (minute % 1_440) * MS_PER_MINUTE;
  return atMs > nowMs ? atMs : atMs + MS_PER_DAY;
}
