// An offer's time zone, resolved at the edge. Merchants name a zone (`"Asia/Shanghai"`); the engine may not read a
// calendar (a replay must price the same whatever time zone database the next Node build ships), so the gateway
// turns the name into the UTC offsets in force over the coming years and the command carries them as data
// (engine/kernel/time-zone.ts). Daily pricing windows then follow local time, daylight saving time included.
import { z } from 'zod';
import { LIMITS, type TimeZone } from '../engine/index.ts';

/** How far ahead offsets are resolved; past the last change the last offset holds. Editing the zone resolves again. */
export const TIME_ZONE_HORIZON_MS = 3 * 365 * 86_400_000;
const HOUR_MS = 3_600_000;
/** Offsets are sampled this often; every zone keeps an offset for months, so no change hides between samples. */
const SAMPLE_MS = 6 * HOUR_MS;

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The formatter for a zone, or null when this runtime does not know the name. Bounded by the zones that exist. */
function formatterOf(name: string): Intl.DateTimeFormat | null {
  const known = formatters.get(name);
  if (known) return known;
  let formatter: Intl.DateTimeFormat;
  try {
    formatter = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'longOffset' });
  } catch {
    return null;
  }
  // Only canonical spellings are remembered, so the map holds at most one entry per zone.
  if (formatter.resolvedOptions().timeZone === name) formatters.set(name, formatter);
  return formatter;
}

/** UTC offset in minutes of `zone` at `atMs` ("GMT+08:00" → 480, "GMT" → 0). */
function offsetMinutes(formatter: Intl.DateTimeFormat, atMs: number): number {
  const label = formatter.formatToParts(atMs).find((part) => part.type === 'timeZoneName')?.value ?? 'GMT';
  const match = /^GMT(?:([+-])(\d{2}):(\d{2}))?$/.exec(label);
  if (!match || match[1] === undefined) return 0;
  const minutes = Number(match[2]) * 60 + Number(match[3]);
  return match[1] === '-' ? -minutes : minutes;
}

/** The first instant in (low, high] whose offset differs from low's, to the minute. */
function changeBetween(formatter: Intl.DateTimeFormat, low: number, high: number): number {
  const before = offsetMinutes(formatter, low);
  while (high - low > 60_000) {
    const mid = low + Math.floor((high - low) / 2 / 60_000) * 60_000;
    if (offsetMinutes(formatter, mid) === before) low = mid;
    else high = mid;
  }
  return high;
}

/** The offsets of `name` from `fromMs` over the horizon, as the engine takes them; null for a name nobody knows. */
export function resolveTimeZone(name: string, fromMs: number): TimeZone | null {
  const formatter = formatterOf(name);
  if (formatter === null) return null;
  // Shown back as the runtime spells it ("asia/shanghai" is Asia/Shanghai).
  const canonical = formatter.resolvedOptions().timeZone;
  const start = Math.floor(fromMs / HOUR_MS) * HOUR_MS;
  const offsets = [{ fromMs: start, offsetMinutes: offsetMinutes(formatter, start) }];
  for (let at = start; at < start + TIME_ZONE_HORIZON_MS && offsets.length < LIMITS.timeZoneOffsetsMax; at += SAMPLE_MS) {
    const next = at + SAMPLE_MS;
    if (offsetMinutes(formatter, next) === offsets[offsets.length - 1]!.offsetMinutes) continue;
    const changeMs = changeBetween(formatter, at, next);
    offsets.push({ fromMs: changeMs, offsetMinutes: offsetMinutes(formatter, changeMs) });
  }
  return { name: canonical, offsets };
}

/**
 * A time zone as merchants send it: an IANA name, resolved from the moment it is received. The engine's structured
 * form stays what the journal records, so a replay never consults the time zone database.
 */
export function timeZoneField(clock: () => number) {
  return z
    .string()
    .min(1)
    .max(64)
    .transform((name, ctx) => {
      const zone = resolveTimeZone(name, clock());
      if (zone === null) {
        ctx.addIssue({ code: 'custom', message: `"${name}" is not an IANA time zone name this server knows (for example Asia/Shanghai or Europe/Berlin)` });
        return z.NEVER;
      }
      return zone;
    });
}
