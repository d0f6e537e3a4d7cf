// Durations in scenario files: a number of milliseconds, or a string with a unit ("250ms", "90s", "15m", "2h",
// "1d", "1.5h") because a day written as 86400000 is easy to get wrong by a zero.
import { z } from 'zod';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const PATTERN = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/;

/** The longest duration a scenario may name anywhere: a year, so sums of durations stay exact integers. */
export const DURATION_MS_MAX = 366 * 86_400_000;

export function parseDurationMs(text: string): number | null {
  const match = PATTERN.exec(text.trim());
  if (!match) return null;
  return Math.round(Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS]);
}

/** A duration field: milliseconds out, whatever was written in. */
export const Duration = z
  .union([z.number(), z.string()])
  .transform((value, ctx) => {
    const ms = typeof value === 'number' ? value : parseDurationMs(value);
    if (ms === null) {
      ctx.addIssue({ code: 'custom', message: `"${String(value)}" is not a duration: use milliseconds or e.g. "90s", "15m", "2h", "1d"` });
      return z.NEVER;
    }
    if (!Number.isFinite(ms) || ms < 0) {
      ctx.addIssue({ code: 'custom', message: 'must be ≥ 0' });
      return z.NEVER;
    }
    if (ms > DURATION_MS_MAX) {
      ctx.addIssue({ code: 'custom', message: 'must be at most a year' });
      return z.NEVER;
    }
    return Math.round(ms);
  });

/** A duration that must be > 0. */
export const PositiveDuration = Duration.refine((ms) => ms > 0, { message: 'must be > 0' });

/** "90s", "15m", "2h 30m" style text for summaries; exact enough for people, never parsed back. */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1_000).toFixed(ms < 10_000 ? 2 : 1)} s`;
  if (ms < 3_600_000) return `${(ms / 60_000).toFixed(1)} min`;
  if (ms < 86_400_000) return `${(ms / 3_600_000).toFixed(1)} h`;
  return `${(ms / 86_400_000).toFixed(1)} d`;
}
