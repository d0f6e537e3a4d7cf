// What each channel shows: the snapshot a subscriber starts from and the public or private form of each engine
// event. Public forms (offer and group channels) carry shopper ids but never amounts: what one shopper was
// charged or refunded goes only to that shopper's own channel. Auctions and reservations stream on their offer's
// channel (an offer has one mechanism, so its channel is already the auction's or the queue's); their forms are
// in mechanism-events.ts.
import type { AuctionView, Engine, EngineEvent, GroupView, OfferView, ReservationView } from '../engine/index.ts';
import type { ParsedChannel } from './channel-names.ts';
import type { LiveBid } from './auction-ledger.ts';
import { privateAuctionEvents, privateReservationEvents, publicAuctionEvent, publicReservationEvent, type PrivateDelta } from './mechanism-events.ts';
import type { Membership, ShopperLedger } from './shopper-ledger.ts';

/** A group without its member list: what an offer's watchers see of each of its groups. */
export type GroupSummary = Omit<GroupView, 'members'>;

export function groupSummary(group: GroupView): GroupSummary {
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { members, ...summary } = group;
  return summary;
}

export interface OfferSnapshot {
  offer: OfferView;
  /** Live groups, oldest first. */
  groups: GroupSummary[];
}

export interface GroupSnapshot {
  group: GroupView;
}

/** A live bid with where its auction stands now. */
export interface OwnBid extends LiveBid {
  /** English: whether this bid leads; null for sealed kinds (nobody knows before the close). */
  leading: boolean | null;
  auction: AuctionView | null;
}

type ShopperReservationView = NonNullable<ReservationView['you']>;

export interface ShopperSnapshot {
  shopperId: string;
  memberships: (Membership & { group: GroupSummary | null })[];
  /** Bids in open auctions, amounts included. */
  bids: OwnBid[];
  /** Per reservation offer: the shopper's place in the line (with position and estimated wait), holds, rentals, bookings. */
  reservations: (Omit<ShopperReservationView, 'shopperId'> & { offerId: string })[];
}

/**
 * The offer as anyone may see it: an auction's reserve price stays hidden (the view says only `hasReserve` and,
 * for English auctions, `reserveMet`). The merchant's own reads keep it.
 */
export function publicOfferView(offer: OfferView): OfferView {
  if (offer.mechanism.type !== 'auction') return offer;
  // eslint-disable-next-line @typescript-eslint/no-unused-vars
  const { reservePriceMinor, ...mechanism } = offer.mechanism;
  return { ...offer, mechanism: mechanism as OfferView['mechanism'] };
}

export type ChannelSnapshot = OfferSnapshot | GroupSnapshot | ShopperSnapshot;

/** The channel's current state, or null when what it names does not exist (so there is nothing to watch). */
export function channelSnapshot(engine: Engine, ledger: ShopperLedger, channel: ParsedChannel): ChannelSnapshot | null {
  switch (channel.kind) {
    case 'offer': {
      const offer = engine.offer(channel.id);
      return offer ? { offer: publicOfferView(offer), groups: engine.groupsOf(channel.id).map(groupSummary) } : null;
    }
    case 'group': {
      const group = engine.group(channel.id);
      return group ? { group } : null;
    }
    case 'shopper':
      return shopperSnapshot(engine, ledger, channel.id);
    default:
      return unreachable(channel.kind);
  }
}

function shopperSnapshot(engine: Engine, ledger: ShopperLedger, shopperId: string): ShopperSnapshot {
  const memberships = ledger.membershipsOf(shopperId).map((membership) => {
    const group = engine.group(membership.groupId);
    return { ...membership, group: group ? groupSummary(group) : null };
  });
  const bids = ledger.auctions.bidsOf(shopperId).map((bid) => {
    const auction = engine.auction(bid.offerId);
    const leading = auction?.kind === 'english' ? auction.leaderNo === bid.bidderNo : null;
    return { ...bid, leading, auction };
  });
  const reservations: ShopperSnapshot['reservations'] = [];
  for (const offerId of ledger.reservations.offersOf(shopperId)) {
    const you = engine.reservation(offerId, shopperId)?.you;
    if (!you) continue;
    const { shopperId: _self, ...own } = you;
    reservations.push({ offerId, ...own });
  }
  return { shopperId, memberships, bids, reservations };
}

/** The form of an event every watcher of its offer or group may see. */
export function publicEvent(engine: Engine, event: EngineEvent): object {
  switch (event.type) {
    case 'group_joined': {
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      const { chargedMinor, quotedUnitPriceMinor, ...rest } = event;
      return rest;
    }
    case 'group_left': {
      // eslint-disable-next-line @typescript-eslint/no-unused-vars
      const { refundMinor, ...rest } = event;
      return rest;
    }
    case 'group_completed': {
      const { type, offerId, groupId, size, autoFilledSeats, reason, atMs } = event;
      return { type, offerId, groupId, size, autoFilledSeats, reason, memberIds: event.members.map((m) => m.shopperId), atMs };
    }
    case 'group_failed': {
      const { type, offerId, groupId, size, reason, atMs } = event;
      return { type, offerId, groupId, size, reason, memberIds: event.refunds.map((r) => r.shopperId), atMs };
    }
    case 'offer_edited': {
      // The new settings themselves (prices, tiers, inventory), so watchers need not fetch them.
      const offer = engine.offer(event.offerId);
      return { ...event, offer: offer && publicOfferView(offer) };
    }
    case 'offer_created':
    case 'offer_paused':
    case 'offer_resumed':
    case 'offer_closed':
    case 'group_opened':
    case 'group_formed':
    // Pricing: the offer's price and its explanation are public (every watcher sees the same price).
    case 'rule_set_activated':
    case 'price_changed':
      return event;
    case 'bid_placed':
    case 'auction_extended':
    case 'auction_price_dropped':
    case 'auction_closed':
      return publicAuctionEvent(event);
    case 'queue_changed':
    case 'hold_offered':
    case 'hold_extended':
    case 'hold_released':
    case 'hold_expired':
    case 'rental_started':
    case 'rental_ended':
    case 'booking_waitlisted':
    case 'waitlist_left':
    case 'waitlist_closed':
    case 'booking_confirmed':
    case 'booking_cancelled':
    case 'booking_completed':
      return publicReservationEvent(event);
    default:
      return unreachable(event);
  }
}

/**
 * Each shopper's private part of an event: what it was charged, paid or refunded, its bids, holds and places.
 * Asked before the ledger applies the event: some recipients (an auction's losers, shoppers dropped from a line)
 * are known only to the ledger, as it stood before.
 */
export function privateEvents(event: EngineEvent, ledger: ShopperLedger): PrivateDelta[] {
  switch (event.type) {
    case 'group_joined':
    case 'group_left':
      return [{ shopperId: event.shopperId, event }];
    case 'group_completed': {
      const { type, offerId, groupId, size, autoFilledSeats, reason, atMs } = event;
      return event.members.map((settlement) => ({
        shopperId: settlement.shopperId,
        event: { type, offerId, groupId, size, autoFilledSeats, reason, settlement, atMs },
      }));
    }
    case 'group_failed': {
      const { type, offerId, groupId, size, reason, atMs } = event;
      return event.refunds.map((refund) => ({ shopperId: refund.shopperId, event: { type, offerId, groupId, size, reason, refund, atMs } }));
    }
    case 'offer_created':
    case 'offer_edited':
    case 'offer_paused':
    case 'offer_resumed':
    case 'offer_closed':
    case 'group_opened':
    case 'group_formed':
    case 'rule_set_activated':
    case 'price_changed':
      return [];
    case 'bid_placed':
    case 'auction_extended':
    case 'auction_price_dropped':
    case 'auction_closed':
      return privateAuctionEvents(event, ledger.auctions);
    case 'queue_changed':
    case 'hold_offered':
    case 'hold_extended':
    case 'hold_released':
    case 'hold_expired':
    case 'rental_started':
    case 'rental_ended':
    case 'booking_waitlisted':
    case 'waitlist_left':
    case 'waitlist_closed':
    case 'booking_confirmed':
    case 'booking_cancelled':
    case 'booking_completed':
      return privateReservationEvents(event, ledger.reservations);
    default:
      return unreachable(event);
  }
}

/** Events after which an offer's stock (held, sold, available units) may have changed. */
export function changesStock(engine: Engine, event: EngineEvent): boolean {
  switch (event.type) {
    case 'group_joined':
    case 'group_left':
    case 'group_completed':
    case 'group_failed':
    case 'auction_closed':
      return true;
    case 'offer_edited':
      return event.fields.includes('inventory');
    // A queue's holds and rentals hold units of the offer; slot bookings are occupancy in time and hold none.
    case 'hold_offered':
      return event.slot === null;
    case 'hold_released':
    case 'hold_expired':
      return engine.reservation(event.offerId)?.mode === 'queue';
    case 'rental_ended':
      return true;
    default:
      return false;
  }
}

export function unreachable(value: never): never {
  throw new Error(`unhandled case ${JSON.stringify(value)}`);
}
