// Dutch auctions: a descending clock. The price starts at the offer's base price when the clock starts (the
// offer's creation, or its `startMs` if later) and falls by `stepMinor` every `stepIntervalMs` down to the floor,
// where it waits for a taker until the offer ends. Each step is an `auction` deadline (ref `step`), settled at its
// own time like every deadline, so the price a command sees is the price at its `nowMs` however late the ticks.
// The number of steps is bounded at creation (AUCTION_LIMITS.dutchStepsMax).
import type { Ctx } from '../kernel/context.ts';
import type { Deadline, DeadlineQueue } from '../kernel/deadlines.ts';
import { factsOf } from '../kernel/events.ts';
import type { DutchClock } from './commands.ts';
import type { AuctionOffer } from './state.ts';

export const DUTCH_STEP_REF = 'step';

function clockOf(offer: AuctionOffer): DutchClock {
  return offer.market.settings.dutch!;
}

/** Starts the clock at the base price: the first step is queued one interval after the start. */
export function startDutchClock(ctx: Ctx, offer: AuctionOffer): void {
  const clock = clockOf(offer);
  const clockStartMs = Math.max(ctx.nowMs, offer.startMs ?? ctx.nowMs);
  const auction = offer.market;
  auction.priceMinor = offer.basePriceMinor;
  auction.dutch = { clockStartMs, nextStepAtMs: offer.basePriceMinor > clock.floorPriceMinor ? clockStartMs + clock.stepIntervalMs : null };
  pushDutchStep(offer, ctx.state.deadlines);
}

export function pushDutchStep(offer: AuctionOffer, deadlines: DeadlineQueue): void {
  const atMs = offer.market.dutch?.nextStepAtMs ?? null;
  if (atMs !== null) deadlines.push({ atMs, kind: 'auction', id: offer.id, order: offer.createdSerial, ref: DUTCH_STEP_REF });
}

export function isDutchStepLive(offer: AuctionOffer, entry: Deadline): boolean {
  return entry.ref === DUTCH_STEP_REF && offer.market.status === 'open' && offer.market.dutch?.nextStepAtMs === entry.atMs;
}

/**
 * The price falls one step at `atMs`. A step due at or after the offer's end does not happen: the offer ends at
 * that instant (its end settles right after this deadline), and nobody could take the lower price.
 */
export function settleDutchStep(ctx: Ctx, offer: AuctionOffer, atMs: number): void {
  const auction = offer.market;
  const dutch = auction.dutch!;
  if (offer.endMs !== null && atMs >= offer.endMs) {
    dutch.nextStepAtMs = null;
    return;
  }
  const clock = clockOf(offer);
  const previousPriceMinor = auction.priceMinor!;
  const priceMinor = Math.max(clock.floorPriceMinor, previousPriceMinor - clock.stepMinor);
  auction.priceMinor = priceMinor;
  dutch.nextStepAtMs = priceMinor > clock.floorPriceMinor ? atMs + clock.stepIntervalMs : null;
  pushDutchStep(offer, ctx.state.deadlines);
  ctx.events.push({ type: 'auction_price_dropped', ...factsOf(offer), priceMinor, previousPriceMinor, nextStepAtMs: dutch.nextStepAtMs, atMs });
}

/** The clock's price at `atMs` by formula (for views and checks): the base price less the steps passed. */
export function dutchPriceAt(offer: AuctionOffer, atMs: number): number {
  const clock = clockOf(offer);
  const dutch = offer.market.dutch!;
  const steps = atMs < dutch.clockStartMs ? 0 : Math.floor((atMs - dutch.clockStartMs) / clock.stepIntervalMs);
  return Math.max(clock.floorPriceMinor, offer.basePriceMinor - steps * clock.stepMinor);
}
