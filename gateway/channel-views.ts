// What a subscriber starts from: the snapshot of a channel, read from the engine's views between two commands.
// Offer and group channels show what anyone may see (the engine's public views: member ids, never amounts; an
// auction's reserve hidden); a shopper's own channel shows its portfolio, amounts included. What each event shows
// is the engine's business too (engine/events.ts): the gateway only moves it.
import type { Engine, GroupSummary, GroupView, OfferView, ShopperView } from '../engine/index.ts';
import { unreachable } from '../engine/index.ts';
import type { ParsedChannel } from './channel-names.ts';

export interface OfferSnapshot {
  offer: OfferView;
  /** Live groups, oldest first (group-buys; empty for other offers). */
  groups: GroupSummary[];
}

export interface GroupSnapshot {
  group: GroupView;
}

export type ShopperSnapshot = ShopperView;

export type ChannelSnapshot = OfferSnapshot | GroupSnapshot | ShopperSnapshot;

/** The channel's current state, or null when what it names does not exist (so there is nothing to watch). */
export function channelSnapshot(engine: Engine, channel: ParsedChannel): ChannelSnapshot | null {
  switch (channel.kind) {
    case 'offer': {
      const offer = engine.publicOffer(channel.id);
      return offer ? { offer, groups: engine.groupSummariesOf(channel.id) } : null;
    }
    case 'group': {
      const group = engine.group(channel.id);
      return group ? { group } : null;
    }
    case 'shopper':
      return engine.shopper(channel.id);
    default:
      return unreachable(channel.kind);
  }
}
