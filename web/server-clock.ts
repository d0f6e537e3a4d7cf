// The server's clock as seen from the browser. Deadlines are absolute times on the server's clock, so a countdown
// is `deadlineMs − serverNow`, never seconds counted here: a late message does not move a deadline, and a phone
// whose clock is minutes off still shows the right time left (docs/protocol.md, "Time and countdowns").
import { formatCountdown } from './format.ts';

export class ServerClock {
  private offsetMs = 0;
  private bestRoundTripMs = Number.POSITIVE_INFINITY;
  private measuredAtMs = Number.NEGATIVE_INFINITY;
  known = false;

  /**
   * A `ping` answered: the server read its clock about half a round trip before the answer arrived. The estimate
   * from the quickest round trip is kept, unless it is a minute old (clocks drift, networks change).
   */
  observeRoundTrip(serverTimeMs: number, sentAtMs: number, receivedAtMs: number): void {
    const roundTripMs = Math.max(0, receivedAtMs - sentAtMs);
    const stale = receivedAtMs - this.measuredAtMs > 60_000;
    if (!stale && roundTripMs > this.bestRoundTripMs) return;
    this.bestRoundTripMs = roundTripMs;
    this.measuredAtMs = receivedAtMs;
    this.offsetMs = serverTimeMs + roundTripMs / 2 - receivedAtMs;
    this.known = true;
  }

  /** Any stamped message (welcome, HTTP answers): good to a round trip; used until a ping measures better. */
  observe(serverTimeMs: number, receivedAtMs = Date.now()): void {
    if (this.known) return;
    this.offsetMs = serverTimeMs - receivedAtMs;
    this.known = true;
  }

  /** Whole milliseconds, as the server's times are (a preview refuses a fractional `nowMs`). */
  now(): number {
    return Math.round(Date.now() + this.offsetMs);
  }
}

let ticker: number | null = null;
let activeClock: ServerClock | null = null;

/**
 * Keeps every element with `data-deadline-ms` showing the time left on `clock`. One timer for the whole page:
 * elements come and go with re-renders, so they are found afresh on every tick instead of registered.
 */
export function startCountdowns(clock: ServerClock): void {
  activeClock = clock;
  if (ticker !== null) window.clearInterval(ticker);
  refreshCountdowns(document);
  ticker = window.setInterval(() => refreshCountdowns(document), 250);
}

/** Fills the countdowns under `root` now (after a re-render, so none shows blank until the next tick). */
export function refreshCountdowns(root: ParentNode): void {
  if (activeClock === null) return;
  const now = activeClock.now();
  for (const element of root.querySelectorAll<HTMLElement>('[data-deadline-ms]')) {
    const text = formatCountdown(Number(element.dataset.deadlineMs) - now);
    if (element.textContent !== text) element.textContent = text;
  }
}
