// How amounts, times and events read on screen. Money arrives as integer minor units with a currency code; the
// number of minor digits comes from the browser's currency data (CNY and USD have 2, JPY 0), never guessed.

const digitsCache = new Map<string, number>();

function minorDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    } catch {
      digits = 2;
    }
    digitsCache.set(currency, digits);
  }
  return digits;
}

/** 8800 CNY → "CN¥88.00". */
export function money(minor: number, currency: string): string {
  const digits = minorDigits(currency);
  try {
    return new Intl.NumberFormat(undefined, { style: 'currency', currency, minimumFractionDigits: digits }).format(minor / 10 ** digits);
  } catch {
    return `${(minor / 10 ** digits).toFixed(digits)} ${currency}`;
  }
}

/** Minor units to the major unit a chart's axis shows (8800 CNY → 88). */
export function majorUnits(minor: number, currency: string): number {
  return minor / 10 ** minorDigits(currency);
}

/** A signed amount for explanation lines: "−22.00", "+3.50". */
export function signedMoney(minor: number, currency: string): string {
  const text = money(Math.abs(minor), currency);
  return minor < 0 ? `−${text}` : `+${text}`;
}

/** Time left: "1h 02m", "4m 05s", "12s", "ended". */
export function formatCountdown(leftMs: number): string {
  if (!Number.isFinite(leftMs)) return '—';
  if (leftMs <= 0) return 'ended';
  const totalS = Math.ceil(leftMs / 1_000);
  const hours = Math.floor(totalS / 3_600);
  const minutes = Math.floor((totalS % 3_600) / 60);
  const seconds = totalS % 60;
  if (hours > 0) return `${hours}h ${String(minutes).padStart(2, '0')}m`;
  if (minutes > 0) return `${minutes}m ${String(seconds).padStart(2, '0')}s`;
  return `${seconds}s`;
}

/** A length of time in words: 906362 → "15 min 6 s", 5400000 → "1 h 30 min", 750 → "750 ms". */
export function formatDuration(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const totalS = Math.round(ms / 1_000);
  const hours = Math.floor(totalS / 3_600);
  const minutes = Math.floor((totalS % 3_600) / 60);
  const seconds = totalS % 60;
  if (hours > 0) return minutes > 0 ? `${hours} h ${minutes} min` : `${hours} h`;
  if (minutes > 0) return seconds > 0 ? `${minutes} min ${seconds} s` : `${minutes} min`;
  return `${seconds} s`;
}

/** Clock time of an instant on the server's clock, in the viewer's time zone. */
export function clockTime(atMs: number): string {
  return new Date(atMs).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

/** Day and clock time, for times that may be on another day (a slot): "Tue 14:30". */
export function dayTime(atMs: number): string {
  return new Date(atMs).toLocaleString(undefined, { weekday: 'short', hour: '2-digit', minute: '2-digit' });
}

/** A booked slot: "Tue 14:30–15:30". */
export function slotText(startMs: number, endMs: number): string {
  const end = new Date(endMs).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' });
  return `${dayTime(startMs)}–${end}`;
}

/** Bidders appear in public by number, never by name: "bidder #2". */
export function bidder(bidderNo: number | null): string {
  return bidderNo === null ? 'a buyer who did not bid' : `bidder #${bidderNo}`;
}
