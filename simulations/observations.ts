// What a run observes, in one vocabulary for both modes. In-process, observations come from the engine's events
// (which carry every amount); live, from what clients receive: public deltas on the offer channel (a watcher) and
// each shopper's private deltas (its own charges, refunds and settlement; its bids and orders; its rentals' money).
// Metrics and shopper behaviour read only these, so the same scenario is measured the same way whichever mode ran
// it. Public and private halves of one engine event are separate observations, as a live run receives them on
// separate channels. Times are simulated ms.
import type { EngineEvent } from '../engine/index.ts';
import { unreachable } from './unreachable.ts';

export type Observation =
  | { type: 'shopper_arrived'; shopperId: string; offerId: string; invitedBy: string | null; atMs: number }
  /** A shopper or invited friend past `shoppers.max`: counted, not simulated. */
  | { type: 'shopper_capped'; atMs: number }
  | { type: 'invite_declined'; shopperId: string; atMs: number }
  | { type: 'walked_away'; shopperId: string; offerId: string; quotedMinor: number; valueMinor: number; atMs: number }
  /** A member left a group that had not formed (groupId), or a renter left the queue (groupId null), out of patience. */
  | { type: 'patience_ran_out'; shopperId: string; offerId: string; groupId: string | null; atMs: number }
  /** A command's outcome as the shopper saw it (refusals by code; client-side failures have client_* codes). */
  | { type: 'command'; command: string; shopperId: string; offerId: string; ok: boolean; code: string | null; groupId: string | null; opened: boolean | null; atMs: number }
  | { type: 'group_opened'; offerId: string; groupId: string; leaderId: string; minSize: number; deadlineMs: number; atMs: number }
  | { type: 'group_joined'; offerId: string; groupId: string; shopperId: string; qty: number; size: number; unitPriceMinor: number; atMs: number }
  | { type: 'group_left'; offerId: string; groupId: string; shopperId: string; qty: number; size: number; atMs: number }
  | { type: 'group_formed'; offerId: string; groupId: string; size: number; atMs: number }
  | { type: 'group_completed'; offerId: string; groupId: string; size: number; autoFilledSeats: number; reason: string; atMs: number }
  | { type: 'group_failed'; offerId: string; groupId: string; size: number; reason: string; atMs: number }
  | { type: 'seat_charged'; offerId: string; groupId: string; shopperId: string; qty: number; chargedMinor: number; atMs: number }
  | { type: 'seat_released'; offerId: string; groupId: string; shopperId: string; qty: number; refundMinor: number; reason: 'left' | 'group_failed'; atMs: number }
  | { type: 'seat_settled'; offerId: string; groupId: string; shopperId: string; qty: number; unitPriceMinor: number; paidMinor: number; refundMinor: number; atMs: number }
  | { type: 'price_changed'; offerId: string; priceMinor: number; atMs: number }
  | { type: 'offer_closed'; offerId: string; atMs: number }
  // Auctions. Public facts name bidders by their `bidderNo`; what a bidder bid and won comes privately.
  /** A bidder arrived with its private value (from the behaviour): what surplus and efficiency are measured against. */
  | { type: 'bidder_arrived'; shopperId: string; offerId: string; valueMinor: number; qty: number; strategy: string; atMs: number }
  /** An accepted bid. English: the public price and leader after it; sealed kinds: null. */
  | { type: 'bid_placed'; offerId: string; bidderNo: number; priceMinor: number | null; leaderNo: number | null; bidders: number; bids: number; atMs: number }
  /** Private to the bidder: its own bid as it now stands (English: its hidden maximum; sealed: its price a unit). */
  | { type: 'bid_owned'; offerId: string; shopperId: string; bidderNo: number; bidMinor: number; qty: number; atMs: number }
  /** Private: an English bid took the lead from this shopper. */
  | { type: 'outbid'; offerId: string; shopperId: string; atMs: number }
  | { type: 'auction_extended'; offerId: string; endMs: number; extensionsUsed: number; atMs: number }
  | { type: 'auction_price_dropped'; offerId: string; priceMinor: number; atMs: number }
  | { type: 'auction_closed'; offerId: string; kind: string; reason: string; clearingPriceMinor: number | null; unitsSold: number; bidders: number; bids: number; atMs: number }
  /** Private to a winner: its order (`paidMinor` = unit price × qty). */
  | { type: 'auction_won'; offerId: string; shopperId: string; qty: number; unitPriceMinor: number; paidMinor: number; atMs: number }
  // Reservation queues. Who holds and rents what is public; amounts come privately.
  /** A renter arrived (from the behaviour) with the facts the platform vouches for. */
  | { type: 'renter_arrived'; shopperId: string; offerId: string; priorityClass: number; creditScore: number | null; atMs: number }
  /** The line moved: `waiting` after the change; shopperId null when it closed. */
  | { type: 'queue_changed'; offerId: string; change: 'joined' | 'left' | 'served' | 'closed'; shopperId: string | null; waiting: number; atMs: number }
  | { type: 'hold_offered'; offerId: string; holdId: string; shopperId: string; expiresAtMs: number; atMs: number }
  /** A hold ended unconfirmed: declined, cancelled, released by the offer's close, or expired. */
  | { type: 'hold_ended'; offerId: string; holdId: string; shopperId: string; reason: 'declined' | 'cancelled' | 'offer_closed' | 'expired'; atMs: number }
  | { type: 'rental_started'; offerId: string; rentalId: string; shopperId: string; atMs: number }
  /** Private to the renter: charged at confirmation, and the deposit held (0: none, or waived). */
  | { type: 'rental_charged'; offerId: string; rentalId: string; shopperId: string; unitPriceMinor: number; chargedMinor: number; depositMinor: number; atMs: number }
  | { type: 'rental_ended'; offerId: string; rentalId: string; shopperId: string; durationMs: number; atMs: number }
  /** Private to the renter: its deposit released when the unit came back. */
  | { type: 'deposit_released'; offerId: string; rentalId: string; shopperId: string; depositReleasedMinor: number; atMs: number };

export type ObservationType = Observation['type'];

/** Engine events as observations: the public facts, plus the money each one moved. */
export function observationsFromEngineEvent(event: EngineEvent, out: Observation[]): void {
  switch (event.type) {
    case 'group_opened':
      out.push({ type: 'group_opened', offerId: event.offerId, groupId: event.groupId, leaderId: event.leaderId, minSize: event.minSize, deadlineMs: event.deadlineMs, atMs: event.atMs });
      return;
    case 'group_joined':
      out.push({ type: 'group_joined', offerId: event.offerId, groupId: event.groupId, shopperId: event.shopperId, qty: event.qty, size: event.size, unitPriceMinor: event.unitPriceMinor, atMs: event.atMs });
      out.push({ type: 'seat_charged', offerId: event.offerId, groupId: event.groupId, shopperId: event.shopperId, qty: event.qty, chargedMinor: event.chargedMinor, atMs: event.atMs });
      return;
    case 'group_left':
      out.push({ type: 'group_left', offerId: event.offerId, groupId: event.groupId, shopperId: event.shopperId, qty: event.qty, size: event.size, atMs: event.atMs });
      out.push({ type: 'seat_released', offerId: event.offerId, groupId: event.groupId, shopperId: event.shopperId, qty: event.qty, refundMinor: event.refundMinor, reason: 'left', atMs: event.atMs });
      return;
    case 'group_formed':
      out.push({ type: 'group_formed', offerId: event.offerId, groupId: event.groupId, size: event.size, atMs: event.atMs });
      return;
    case 'group_completed':
      out.push({ type: 'group_completed', offerId: event.offerId, groupId: event.groupId, size: event.size, autoFilledSeats: event.autoFilledSeats, reason: event.reason, atMs: event.atMs });
      for (const m of event.members) {
        out.push({ type: 'seat_settled', offerId: event.offerId, groupId: event.groupId, shopperId: m.shopperId, qty: m.qty, unitPriceMinor: m.unitPriceMinor, paidMinor: m.paidMinor, refundMinor: m.refundMinor, atMs: event.atMs });
      }
      return;
    case 'group_failed':
      out.push({ type: 'group_failed', offerId: event.offerId, groupId: event.groupId, size: event.size, reason: event.reason, atMs: event.atMs });
      for (const r of event.refunds) {
        out.push({ type: 'seat_released', offerId: event.offerId, groupId: event.groupId, shopperId: r.shopperId, qty: r.qty, refundMinor: r.refundMinor, reason: 'group_failed', atMs: event.atMs });
      }
      return;
    case 'price_changed':
      out.push({ type: 'price_changed', offerId: event.offerId, priceMinor: event.priceMinor, atMs: event.atMs });
      return;
    case 'offer_closed':
      out.push({ type: 'offer_closed', offerId: event.offerId, atMs: event.atMs });
      return;
    case 'bid_placed':
    case 'auction_extended':
    case 'auction_price_dropped':
    case 'auction_closed':
      observeAuctionEvent(event, out);
      return;
    case 'queue_changed':
    case 'hold_offered':
    case 'hold_released':
    case 'hold_expired':
    case 'rental_started':
    case 'rental_ended':
      observeReservationEvent(event, out);
      return;
    default:
      // Offer bookkeeping (created, edited, paused, rule set activated) changes no metric; slot bookings are not
      // simulated (the reservation behaviour drives queues).
      return;
  }
}

/** An auction event as the watcher (public part) and the bidders concerned (private parts) would see it. */
function observeAuctionEvent(event: Extract<EngineEvent, { type: 'bid_placed' | 'auction_extended' | 'auction_price_dropped' | 'auction_closed' }>, out: Observation[]): void {
  const { offerId, atMs } = event;
  switch (event.type) {
    case 'bid_placed':
      out.push({ type: 'bid_placed', offerId, bidderNo: event.bidderNo, priceMinor: event.priceMinor, leaderNo: event.leaderNo, bidders: event.bidders, bids: event.bids, atMs });
      out.push({ type: 'bid_owned', offerId, shopperId: event.shopperId, bidderNo: event.bidderNo, bidMinor: event.bidMinor, qty: event.qty, atMs });
      if (event.outbidShopperId !== null) out.push({ type: 'outbid', offerId, shopperId: event.outbidShopperId, atMs });
      return;
    case 'auction_extended':
      out.push({ type: 'auction_extended', offerId, endMs: event.endMs, extensionsUsed: event.extensionsUsed, atMs });
      return;
    case 'auction_price_dropped':
      out.push({ type: 'auction_price_dropped', offerId, priceMinor: event.priceMinor, atMs });
      return;
    case 'auction_closed':
      out.push({ type: 'auction_closed', offerId, kind: event.kind, reason: event.reason, clearingPriceMinor: event.clearingPriceMinor, unitsSold: event.unitsSold, bidders: event.bidders, bids: event.bids, atMs });
      for (const w of event.winners) out.push({ type: 'auction_won', offerId, shopperId: w.shopperId, qty: w.qty, unitPriceMinor: w.unitPriceMinor, paidMinor: w.paidMinor, atMs });
      return;
    default:
      return unreachable(event);
  }
}

function observeReservationEvent(event: Extract<EngineEvent, { type: 'queue_changed' | 'hold_offered' | 'hold_released' | 'hold_expired' | 'rental_started' | 'rental_ended' }>, out: Observation[]): void {
  const { offerId, atMs } = event;
  switch (event.type) {
    case 'queue_changed':
      out.push({ type: 'queue_changed', offerId, change: event.change, shopperId: event.shopperId, waiting: event.waiting, atMs });
      return;
    case 'hold_offered':
      out.push({ type: 'hold_offered', offerId, holdId: event.holdId, shopperId: event.shopperId, expiresAtMs: event.expiresAtMs, atMs });
      return;
    case 'hold_released':
      out.push({ type: 'hold_ended', offerId, holdId: event.holdId, shopperId: event.shopperId, reason: event.reason, atMs });
      return;
    case 'hold_expired':
      out.push({ type: 'hold_ended', offerId, holdId: event.holdId, shopperId: event.shopperId, reason: 'expired', atMs });
      return;
    case 'rental_started':
      out.push({ type: 'rental_started', offerId, rentalId: event.rentalId, shopperId: event.shopperId, atMs });
      out.push({ type: 'rental_charged', offerId, rentalId: event.rentalId, shopperId: event.shopperId, unitPriceMinor: event.unitPriceMinor, chargedMinor: event.chargedMinor, depositMinor: event.depositMinor, atMs });
      return;
    case 'rental_ended':
      out.push({ type: 'rental_ended', offerId, rentalId: event.rentalId, shopperId: event.shopperId, durationMs: event.durationMs, atMs });
      out.push({ type: 'deposit_released', offerId, rentalId: event.rentalId, shopperId: event.shopperId, depositReleasedMinor: event.depositReleasedMinor, atMs });
      return;
    default:
      return unreachable(event);
  }
}
