// The auction mechanism's surface to the rest of the engine. The core calls these hooks; everything else about
// auctions stays inside this folder.
import type { CommandOf, OfferPatch } from '../commands.ts';
import type { Ctx } from '../context.ts';
import type { Deadline, DeadlineQueue } from '../deadlines.ts';
import { reject, type CommandResult, type Rejection } from '../results.ts';
import type { EngineState, Offer } from '../state.ts';
import type { AuctionData, AuctionState } from './state.ts';

export type { AuctionEvent } from './events.ts';
export type { AuctionState, AuctionData } from './state.ts';
export type AuctionCommand = CommandOf<'place_bid' | 'buy_now' | 'accept_price'>;
export type AuctionView = Record<string, never>;
/** What an accepted auction command returns besides `ok` and `offerId`. */
export type AuctionAck = Record<string, never>;

/** Why these create_offer settings cannot make a auction, naming the field; null when they can. */
export function auctionSettingsProblem(_cmd: CommandOf<'create_offer'>, _nowMs: number): string | null {
  return 'not implemented yet';
}

/** The state of a new auction offer; called once the offer exists, so it may push deadlines and emit events. */
export function startAuction(_ctx: Ctx, _offer: Offer): AuctionState {
  return { placeholder: true };
}

export function applyAuctionCommand(_ctx: Ctx, cmd: AuctionCommand): CommandResult {
  return reject('wrong_mechanism', `${cmd.type} is not implemented yet.`);
}

/** Whether a queued deadline of kind 'auction' for this offer still means something. */
export function isAuctionDeadlineLive(_offer: Offer, _entry: Deadline): boolean {
  return false;
}

/** Settles a live deadline of kind 'auction' at its own time `entry.atMs`. */
export function settleAuctionDeadline(_ctx: Ctx, _offer: Offer, _entry: Deadline): void {}

/** The offer is closing (its merchant closed it or it ended) at `atMs`: settle everything still open. */
export function closeAuctionWithOffer(_ctx: Ctx, _offer: Offer, _reason: 'merchant' | 'ended', _atMs: number): void {}

/** Why this edit would break a promise the auction made (or does not apply to it), or null. */
export function auctionPatchProblem(_offer: Offer, _patch: OfferPatch): Rejection | null {
  return null;
}

/** Units of the offer this auction holds (part of `offer.heldUnits`). */
export function auctionHeldUnits(_offer: Offer): number {
  return 0;
}

/** The auction's own invariants, each broken one reported through `fail`. */
export function auctionViolations(_state: EngineState, _offer: Offer, _fail: (message: string) => void): void {}

/** Re-queues the auction's live deadlines after a restore (deadlines are derived data). */
export function pushAuctionDeadlines(_offer: Offer, _deadlines: DeadlineQueue): void {}

export function auctionView(_offer: Offer): AuctionView {
  return {};
}

export function auctionToData(state: AuctionState): AuctionData {
  return structuredClone(state);
}

export function auctionFromData(data: AuctionData): AuctionState {
  return structuredClone(data);
}
