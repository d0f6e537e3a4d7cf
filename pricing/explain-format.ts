// Small formatters for explanation details. Integer-only, so a detail string is as deterministic as the price
// it explains (no locale, no floating-point rounding in what a merchant reads).
import type { WindowAdjustment, WindowSchedule } from './rule-kinds.ts';

/** Basis points as a signed percentage: −1250 → "−12.5 %", 500 → "+5 %". */
export function formatBps(bps: number): string {
  const sign = bps < 0 ? '−' : '+';
  const abs = Math.abs(bps);
  const whole = Math.trunc(abs / 100);
  const hundredths = abs % 100;
  const fraction = hundredths === 0 ? '' : hundredths % 10 === 0 ? `.${hundredths / 10}` : `.${String(hundredths).padStart(2, '0')}`;
  return `${sign}${whole}${fraction} %`;
}

const DURATION_UNITS: readonly (readonly [string, number])[] = [
  ['d', 86_400_000],
  ['h', 3_600_000],
  ['m', 60_000],
  ['s', 1_000],
];

/** A duration as its two largest units, skipping zeros: 93 784 000 ms → "1d 2h", 5 400 000 → "1h 30m", 3 600 000 → "1h". */
export function formatDuration(ms: number): string {
  if (ms < 0) return `${formatDuration(-ms)} past`;
  let text = '';
  let rest = ms;
  let unitsShown = 0;
  for (const [name, size] of DURATION_UNITS) {
    const count = Math.trunc(rest / size);
    rest -= count * size;
    if (count > 0) text += `${text === '' ? '' : ' '}${count}${name}`;
    if (count > 0 || unitsShown > 0) unitsShown++;
    if (unitsShown === 2) break;
  }
  return text === '' ? `${ms}ms` : text;
}

/** A smoothed value kept in thousandths, with up to one decimal: 12345 → "12.3". */
export function formatMilli(milli: number): string {
  const tenths = Math.trunc(milli / 100);
  return tenths % 10 === 0 ? String(tenths / 10) : `${Math.trunc(tenths / 10)}.${tenths % 10}`;
}

/** Minutes since midnight as hh:mm. */
export function formatMinute(minute: number): string {
  return `${String(Math.trunc(minute / 60) % 24).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
}

export function describeAdjustment(adjustment: WindowAdjustment): string {
  switch (adjustment.type) {
    case 'bps':
      return formatBps(adjustment.bps);
    case 'amount':
      return `${adjustment.amountMinor >= 0 ? '+' : '−'}${Math.abs(adjustment.amountMinor)} minor units`;
    case 'price':
      return `set to ${adjustment.priceMinor}`;
  }
}

export function describeSchedule(schedule: WindowSchedule): string {
  switch (schedule.type) {
    case 'absolute':
      return `window [${schedule.startMs}, ${schedule.endMs})`;
    case 'before_deadline':
      return `from ${formatDuration(schedule.fromMs)} until ${formatDuration(schedule.untilMs)} before the ${schedule.deadline} deadline`;
    case 'daily':
      return `daily ${formatMinute(schedule.startMinute)}–${formatMinute(schedule.endMinute)} local time`;
  }
}

/** "…90" for unit 100 and ending 90; "…09" for ending 9; a plain multiple reads "a multiple of 100". */
export function describeEnding(unitMinor: number, endingMinor: number): string {
  if (endingMinor === 0) return `0 (a multiple of ${unitMinor})`;
  return `…${String(endingMinor).padStart(String(unitMinor - 1).length, '0')} (steps of ${unitMinor})`;
}
