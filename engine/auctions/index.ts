// The auction mechanism's surface to the rest of the engine. The core calls these hooks; everything else about
// auctions stays inside this folder (docs/auctions.md).
import type { CommandOf, OfferPatch } from '../commands.ts';
import type { Ctx } from '../context.ts';
import type { Deadline, DeadlineQueue } from '../deadlines.ts';
import type { Rejection } from '../results.ts';
import type { Offer } from '../state.ts';
import { isAuctionOffer } from './bids.ts';
import { settleByBids } from './close.ts';
import { isDutchStepLive, pushDutchStep, settleDutchStep, startDutchClock } from './dutch.ts';
import { auctionPatchProblem as patchProblem, auctionSettingsProblem as settingsProblem } from './settings.ts';
import { newAuctionState, type AuctionState } from './state.ts';
import { auctionView as viewOf, type AuctionView } from './views.ts';

export { applyAuctionCommand, type AuctionCommand } from './bids.ts';
export { auctionViolations } from './invariants.ts';
export { auctionFromData, auctionToData } from './state.ts';
export type { AuctionEvent, AuctionWinner } from './events.ts';
export type { AuctionState, AuctionData } from './state.ts';
export type { AuctionAck, AuctionView } from './views.ts';

/** Why these create_offer settings cannot make an auction, naming the field; null when they can. */
export function auctionSettingsProblem(cmd: CommandOf<'create_offer'>, _nowMs: number): string | null {
  return settingsProblem(cmd);
}

/** The state of a new auction offer; called once the offer exists, so it may push deadlines and emit events. */
export function startAuction(ctx: Ctx, offer: Offer): AuctionState {
  if (offer.mechanism.type !== 'auction') throw new Error(`startAuction: offer ${offer.id} is not an auction`);
  const state = newAuctionState(offer.mechanism.kind);
  // The core stores the returned state too; set here so the clock can start on a complete auction offer.
  offer.auction = state;
  if (isAuctionOffer(offer) && state.kind === 'dutch') startDutchClock(ctx, offer);
  return state;
}

/** Whether a queued deadline of kind 'auction' for this offer still means something (Dutch clock steps only). */
export function isAuctionDeadlineLive(offer: Offer, entry: Deadline): boolean {
  return isAuctionOffer(offer) && isDutchStepLive(offer, entry);
}

/** Settles a live deadline of kind 'auction' at its own time `entry.atMs`. */
export function settleAuctionDeadline(ctx: Ctx, offer: Offer, entry: Deadline): void {
  if (isAuctionOffer(offer)) settleDutchStep(ctx, offer, entry.atMs);
}

/**
 * The offer is closing (its merchant closed it or it ended) at `atMs`: an auction still open settles by its bids
 * (a merchant's close settles it as if it had ended then). One already closed (buy-now, accepted) stays as it is.
 */
export function closeAuctionWithOffer(ctx: Ctx, offer: Offer, reason: 'merchant' | 'ended', atMs: number): void {
  if (!isAuctionOffer(offer) || offer.auction.status === 'closed') return;
  settleByBids(ctx, offer, reason === 'merchant' ? 'offer_closed' : 'ended', atMs);
}

/** Why this edit would break a promise the auction made (or does not apply to it), or null. */
export function auctionPatchProblem(offer: Offer, patch: OfferPatch): Rejection | null {
  return isAuctionOffer(offer) ? patchProblem(offer, patch) : null;
}

/**
 * Units of the offer this auction holds (part of `offer.heldUnits`): none. Nothing is held while bidding (no other
 * mechanism sells the offer's units); winners' units are held and sold in the same step at the close.
 */
export function auctionHeldUnits(_offer: Offer): number {
  return 0;
}

/** Re-queues the auction's live deadlines after a restore (deadlines are derived data). */
export function pushAuctionDeadlines(offer: Offer, deadlines: DeadlineQueue): void {
  if (isAuctionOffer(offer) && offer.auction.status === 'open') pushDutchStep(offer, deadlines);
}

export function auctionView(offer: Offer): AuctionView {
  if (!isAuctionOffer(offer)) throw new Error(`auctionView: offer ${offer.id} is not an auction`);
  return viewOf(offer);
}
