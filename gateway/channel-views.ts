// What each channel shows: the snapshot a subscriber starts from and the public or private form of each engine
// event. Public forms (offer and group channels) carry shopper ids but never amounts: what one shopper was
// charged or refunded goes only to that shopper's own channel.
import type { Engine, EngineEvent, GroupView, OfferView } from '../engine/index.ts';
import type { ParsedChannel } from './channel-names.ts';
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

export interface ShopperSnapshot {
  shopperId: string;
  memberships: (Membership & { group: GroupSummary | null })[];
}

export type ChannelSnapshot = OfferSnapshot | GroupSnapshot | ShopperSnapshot;

/** The channel's current state, or null when what it names does not exist (so there is nothing to watch). */
export function channelSnapshot(engine: Engine, ledger: ShopperLedger, channel: ParsedChannel): ChannelSnapshot | null {
  switch (channel.kind) {
    case 'offer': {
      const offer = engine.offer(channel.id);
      return offer ? { offer, groups: engine.groupsOf(channel.id).map(groupSummary) } : null;
    }
    case 'group': {
      const group = engine.group(channel.id);
      return group ? { group } : null;
    }
    case 'shopper':
      return {
        shopperId: channel.id,
        memberships: ledger.membershipsOf(channel.id).map((membership) => {
          const group = engine.group(membership.groupId);
          return { ...membership, group: group ? groupSummary(group) : null };
        }),
      };
    default:
      return unreachable(channel.kind);
  }
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
    case 'offer_edited':
      // The new settings themselves (prices, tiers, inventory), so watchers need not fetch them.
      return { ...event, offer: engine.offer(event.offerId) };
    case 'offer_created':
    case 'offer_paused':
    case 'offer_resumed':
    case 'offer_closed':
    case 'group_opened':
    case 'group_formed':
    // Pricing: the offer's price and its explanation are public (every watcher sees the same price).
    case 'rule_set_activated':
    case 'price_changed':
    case 'auction_placeholder':
    case 'reservation_placeholder':
      return event;
    default:
      return unreachable(event);
  }
}

/** Each shopper's private part of an event: what it was charged, paid or refunded. */
export function privateEvents(event: EngineEvent): { shopperId: string; event: object }[] {
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
    case 'auction_placeholder':
    case 'reservation_placeholder':
      return [];
    default:
      return unreachable(event);
  }
}

/** Events after which an offer's stock (held, sold, available units) may have changed. */
export function changesStock(event: EngineEvent): boolean {
  switch (event.type) {
    case 'group_joined':
    case 'group_left':
    case 'group_completed':
    case 'group_failed':
      return true;
    case 'offer_edited':
      return event.fields.includes('inventory');
    default:
      return false;
  }
}

export function unreachable(value: never): never {
  throw new Error(`unhandled case ${JSON.stringify(value)}`);
}
