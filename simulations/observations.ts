// What a run observes, in one vocabulary for both modes. In-process, observations come from the engine's events
// (which carry every amount); live, from what clients receive: public deltas on the offer channel (a watcher) and
// each shopper's private deltas (its own charges, refunds and settlement). Metrics and shopper behaviour read only
// these, so the same scenario is measured the same way whichever mode ran it. Times are simulated ms.
import type { EngineEvent } from '../engine/index.ts';

export type Observation =
  | { type: 'shopper_arrived'; shopperId: string; offerId: string; invitedBy: string | null; atMs: number }
  /** A shopper or invited friend past `shoppers.max`: counted, not simulated. */
  | { type: 'shopper_capped'; atMs: number }
  | { type: 'invite_declined'; shopperId: string; atMs: number }
  | { type: 'walked_away'; shopperId: string; offerId: string; quotedMinor: number; valueMinor: number; atMs: number }
  | { type: 'patience_ran_out'; shopperId: string; groupId: string; atMs: number }
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
  | { type: 'offer_closed'; offerId: string; atMs: number };

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
    default:
      // Offer bookkeeping (created, edited, paused, rule set activated) changes no metric. Auction and reservation
      // events get their observations here when their behaviour modules are added (see behaviours/index.ts).
      return;
  }
}
