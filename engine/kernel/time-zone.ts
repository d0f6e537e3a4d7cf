// An offer's local time, as data. The engine may not read a calendar (the time zone database changes between Node
// builds, and a replay must not), so the edge that accepts an offer resolves its IANA zone name to the UTC offsets in
// force over the offer's life (gateway/time-zones.ts) and the command carries them; the engine only looks them up.
import { z } from 'zod';
import { LIMITS } from '../limits.ts';
import { TimeMs } from '../schema-primitives.ts';

export const TimeZoneOffset = z.strictObject({
  /** From this instant on (until the next entry)… */
  fromMs: TimeMs,
  /** …local time is UTC plus this many minutes (480 for UTC+8). */
  offsetMinutes: z.number().int().min(-14 * 60).max(14 * 60),
});

export const TimeZoneSchema = z
  .strictObject({
    /** The IANA name it was resolved from, e.g. `Asia/Shanghai` (shown back to people; never looked up here). */
    name: z.string().min(1).max(64).regex(/^[A-Za-z0-9_+\-/]+$/, 'an IANA time zone name such as Asia/Shanghai'),
    /** Offsets in force, by increasing `fromMs`; the first also covers any earlier time, the last any later one. */
    offsets: z.array(TimeZoneOffset).min(1).max(LIMITS.timeZoneOffsetsMax),
  })
  .superRefine((zone, ctx) => {
    for (let i = 1; i < zone.offsets.length; i++) {
      if (zone.offsets[i]!.fromMs <= zone.offsets[i - 1]!.fromMs) ctx.addIssue({ code: 'custom', path: ['offsets', i, 'fromMs'], message: 'must be after the fromMs before it' });
    }
  });

export type TimeZone = z.output<typeof TimeZoneSchema>;

/** The offset from UTC in force at `atMs`, in minutes (0 without a time zone). */
export function utcOffsetAt(zone: TimeZone | null, atMs: number): number {
  if (zone === null) return 0;
  const { offsets } = zone;
  let low = 0;
  let high = offsets.length - 1;
  // The last entry starting at or before atMs; the first one also covers earlier times.
  while (low < high) {
    const mid = (low + high + 1) >>> 1;
    if (offsets[mid]!.fromMs <= atMs) low = mid;
    else high = mid - 1;
  }
  return offsets[low]!.offsetMinutes;
}

/** When the offset next changes after `atMs`, or null: a daily window's edges move then. */
export function nextOffsetChangeMs(zone: TimeZone | null, atMs: number): number | null {
  if (zone === null) return null;
  for (const entry of zone.offsets) if (entry.fromMs > atMs) return entry.fromMs;
  return null;
}
