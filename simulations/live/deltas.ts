// What live clients receive, as observations (see ../observations.ts). A watcher of `offer:<id>` gets the public
// facts (groups opening, filling, forming, settling; prices; bids by bidder number, extensions, the Dutch clock and
// the close; the queue moving, holds, rentals); each shopper's own channel gets what concerns it alone (charged,
// refunded, paid; its bids, outbid notices and order; its rental's charge and deposit). Ids and times are mapped back to the scenario's: live offer ids carry a
// per-run suffix, shopper ids a per-run prefix, and server times are stretched back by the time scale.
import type { Observation } from '../observations.ts';

export interface IdMap {
  /** Live offer id → scenario offer id. */
  offerFromLive(liveOfferId: string): string | null;
  /** Live shopper id → scenario shopper id (null: not one of this run's shoppers). */
  shopperFromLive(liveShopperId: string): string | null;
  simMs(serverMs: number): number;
}

type Fields = Record<string, unknown>;

const num = (value: unknown): number => (typeof value === 'number' ? value : 0);
const str = (value: unknown): string => (typeof value === 'string' ? value : '');

/** Public deltas of an offer channel; `out` gets zero or more observations. */
export function observePublicEvent(event: Fields, ids: IdMap, out: Observation[]): void {
  const offerId = ids.offerFromLive(str(event.offerId));
  if (offerId === null) return;
  const atMs = ids.simMs(num(event.atMs));
  const groupId = str(event.groupId);
  switch (event.type) {
    case 'group_opened':
      out.push({ type: 'group_opened', offerId, groupId, leaderId: ids.shopperFromLive(str(event.leaderId)) ?? str(event.leaderId), minSize: num(event.minSize), deadlineMs: ids.simMs(num(event.deadlineMs)), atMs });
      return;
    case 'group_joined': {
      const shopperId = ids.shopperFromLive(str(event.shopperId)) ?? str(event.shopperId);
      out.push({ type: 'group_joined', offerId, groupId, shopperId, qty: num(event.qty), size: num(event.size), unitPriceMinor: num(event.unitPriceMinor), atMs });
      return;
    }
    case 'group_left': {
      const shopperId = ids.shopperFromLive(str(event.shopperId)) ?? str(event.shopperId);
      out.push({ type: 'group_left', offerId, groupId, shopperId, qty: num(event.qty), size: num(event.size), atMs });
      return;
    }
    case 'group_formed':
      out.push({ type: 'group_formed', offerId, groupId, size: num(event.size), atMs });
      return;
    case 'group_completed':
      out.push({ type: 'group_completed', offerId, groupId, size: num(event.size), autoFilledSeats: num(event.autoFilledSeats), reason: str(event.reason), atMs });
      return;
    case 'group_failed':
      out.push({ type: 'group_failed', offerId, groupId, size: num(event.size), reason: str(event.reason), atMs });
      return;
    case 'price_changed':
      out.push({ type: 'price_changed', offerId, priceMinor: num(event.priceMinor), atMs });
      return;
    case 'offer_closed':
      out.push({ type: 'offer_closed', offerId, atMs });
      return;
    case 'bid_placed':
      out.push({ type: 'bid_placed', offerId, bidderNo: num(event.bidderNo), priceMinor: numOrNull(event.priceMinor), leaderNo: numOrNull(event.leaderNo), bidders: num(event.bidders), bids: num(event.bids), atMs });
      return;
    case 'auction_extended':
      out.push({ type: 'auction_extended', offerId, endMs: ids.simMs(num(event.endMs)), extensionsUsed: num(event.extensionsUsed), atMs });
      return;
    case 'auction_price_dropped':
      out.push({ type: 'auction_price_dropped', offerId, priceMinor: num(event.priceMinor), atMs });
      return;
    case 'auction_closed':
      out.push({ type: 'auction_closed', offerId, kind: str(event.kind), reason: str(event.reason), clearingPriceMinor: numOrNull(event.clearingPriceMinor), unitsSold: num(event.unitsSold), bidders: num(event.bidders), bids: num(event.bids), atMs });
      return;
    case 'queue_changed': {
      const change = str(event.change);
      if (change !== 'joined' && change !== 'left' && change !== 'served' && change !== 'closed') return;
      const shopperId = typeof event.shopperId === 'string' ? (ids.shopperFromLive(event.shopperId) ?? event.shopperId) : null;
      out.push({ type: 'queue_changed', offerId, change, shopperId, waiting: num(event.waiting), atMs });
      return;
    }
    case 'hold_offered':
      out.push({ type: 'hold_offered', offerId, holdId: str(event.holdId), shopperId: shopperOf(event, ids), expiresAtMs: ids.simMs(num(event.expiresAtMs)), atMs });
      return;
    case 'hold_released':
    case 'hold_expired': {
      const reason = event.type === 'hold_expired' ? 'expired' : str(event.reason);
      if (reason !== 'expired' && reason !== 'declined' && reason !== 'cancelled' && reason !== 'offer_closed') return;
      out.push({ type: 'hold_ended', offerId, holdId: str(event.holdId), shopperId: shopperOf(event, ids), reason, atMs });
      return;
    }
    case 'rental_started':
      out.push({ type: 'rental_started', offerId, rentalId: str(event.rentalId), shopperId: shopperOf(event, ids), atMs });
      return;
    case 'rental_ended':
      // The server's duration is real time: measured again between the two instants mapped to simulated time.
      out.push({ type: 'rental_ended', offerId, rentalId: str(event.rentalId), shopperId: shopperOf(event, ids), durationMs: Math.max(0, atMs - ids.simMs(num(event.startedAtMs))), atMs });
      return;
    default:
      return;
  }
}

const numOrNull = (value: unknown): number | null => (typeof value === 'number' ? value : null);
const shopperOf = (event: Fields, ids: IdMap): string => ids.shopperFromLive(str(event.shopperId)) ?? str(event.shopperId);

/** Private deltas of `shopper:<id>`: the shopper's own charges, refunds and settlement. */
export function observePrivateEvent(event: Fields, shopperId: string, ids: IdMap, out: Observation[]): void {
  const offerId = ids.offerFromLive(str(event.offerId));
  if (offerId === null) return;
  const atMs = ids.simMs(num(event.atMs));
  const groupId = str(event.groupId);
  switch (event.type) {
    case 'group_joined':
      out.push({ type: 'seat_charged', offerId, groupId, shopperId, qty: num(event.qty), chargedMinor: num(event.chargedMinor), atMs });
      return;
    case 'group_left':
      out.push({ type: 'seat_released', offerId, groupId, shopperId, qty: num(event.qty), refundMinor: num(event.refundMinor), reason: 'left', atMs });
      return;
    case 'group_completed': {
      const s = (event.settlement ?? {}) as Fields;
      out.push({ type: 'seat_settled', offerId, groupId, shopperId, qty: num(s.qty), unitPriceMinor: num(s.unitPriceMinor), paidMinor: num(s.paidMinor), refundMinor: num(s.refundMinor), atMs });
      return;
    }
    case 'group_failed': {
      const r = (event.refund ?? {}) as Fields;
      out.push({ type: 'seat_released', offerId, groupId, shopperId, qty: num(r.qty), refundMinor: num(r.refundMinor), reason: 'group_failed', atMs });
      return;
    }
    case 'bid_placed':
      if (typeof event.bidMinor === 'number') out.push({ type: 'bid_owned', offerId, shopperId, bidderNo: num(event.bidderNo), bidMinor: event.bidMinor, qty: num(event.qty), atMs });
      if (typeof event.outbidShopperId === 'string') out.push({ type: 'outbid', offerId, shopperId, atMs });
      return;
    case 'auction_closed': {
      const won = event.won as Fields | null | undefined;
      if (won) out.push({ type: 'auction_won', offerId, shopperId, qty: num(won.qty), unitPriceMinor: num(won.unitPriceMinor), paidMinor: num(won.paidMinor), atMs });
      return;
    }
    case 'rental_started':
      out.push({ type: 'rental_charged', offerId, rentalId: str(event.rentalId), shopperId, unitPriceMinor: num(event.unitPriceMinor), chargedMinor: num(event.chargedMinor), depositMinor: num(event.depositMinor), atMs });
      return;
    case 'rental_ended':
      out.push({ type: 'deposit_released', offerId, rentalId: str(event.rentalId), shopperId, depositReleasedMinor: num(event.depositReleasedMinor), atMs });
      return;
    default:
      return;
  }
}

/**
 * What a private delta means for keeping the shopper's socket open: a stake opens while something may still bring
 * it money news it must not miss (a seat until it settles; an auction it leads, or a sealed bid, until the close
 * says whether it won) and closes when that news came. Null: no change.
 */
export function privateStake(event: Fields): { key: string; open: boolean } | null {
  switch (event.type) {
    case 'group_joined':
      return { key: `group:${str(event.groupId)}`, open: true };
    case 'group_left':
    case 'group_completed':
    case 'group_failed':
      return { key: `group:${str(event.groupId)}`, open: false };
    case 'bid_placed': {
      const key = `auction:${str(event.offerId)}`;
      if (typeof event.outbidShopperId === 'string') return { key, open: false };
      if (typeof event.bidMinor !== 'number') return null;
      // English: only the leader can win; sealed bids (no leader) can all win until the close.
      return { key, open: event.leaderNo === null || event.leaderNo === event.bidderNo };
    }
    case 'auction_closed':
      return { key: `auction:${str(event.offerId)}`, open: false };
    default:
      return null;
  }
}
