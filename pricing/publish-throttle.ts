// Coalescing price events: a busy offer may reprice on every join, but watchers should see at most one
// `price_changed` per `minGapMs` per stream, carrying the latest price. This decides, purely, whether a new price
// is published now or later; the caller keeps `last` and wakes itself at `retryAtMs` to publish what is pending.

export interface PublishedPrice {
  priceMinor: number;
  atMs: number;
}

export type PublishDecision =
  /** Publish `priceMinor` now and remember it as the last published price. */
  | { publish: true }
  /** Nothing to publish: the price is what watchers already have. */
  | { publish: false; retryAtMs: null }
  /** Too soon after the last event: publish the then-latest price at `retryAtMs` (if it still differs). */
  | { publish: false; retryAtMs: number };

export function decidePublish(last: PublishedPrice | null, priceMinor: number, nowMs: number, minGapMs: number): PublishDecision {
  if (last !== null && last.priceMinor === priceMinor) return { publish: false, retryAtMs: null };
  if (last === null || nowMs - last.atMs >= minGapMs) return { publish: true };
  return { publish: false, retryAtMs: last.atMs + minGapMs };
}
