// Channel names: `<kind>:<id>`. A channel is also the uWS topic its deltas are published on, so the name is
// the only routing key. Auctions and reservation queues have no kinds of their own: an offer has exactly one
// mechanism, so `offer:<id>` already is the auction's or the queue's stream (its snapshot carries the offer's
// `auction` or `reservation` view, its deltas their public events), and what is private to one bidder or renter
// goes to `shopper:<id>` like every other private part. A separate `auction:<id>` would only repeat the offer's
// stream under a second numbering.
import { z } from 'zod';
import { LIMITS } from '../engine/index.ts';

export const CHANNEL_KINDS = ['offer', 'group', 'shopper'] as const;
export type ChannelKind = (typeof CHANNEL_KINDS)[number];

export interface ParsedChannel {
  kind: ChannelKind;
  id: string;
}

// Ids the engine makes contain "~" (`<offerId>~g<n>`), so channel ids accept it although caller ids may not.
const CHANNEL_PATTERN = new RegExp(`^(${CHANNEL_KINDS.join('|')}):([A-Za-z0-9_.:~\\-]{1,${LIMITS.idLengthMax + 16}})$`);

export const ChannelName = z
  .string()
  .max(160)
  .regex(CHANNEL_PATTERN, `a channel is "offer:<offerId>", "group:<groupId>" or "shopper:<shopperId>"`);

export function parseChannel(name: string): ParsedChannel | null {
  const match = CHANNEL_PATTERN.exec(name);
  if (!match) return null;
  return { kind: match[1] as ChannelKind, id: match[2]! };
}

export const offerChannel = (offerId: string): string => `offer:${offerId}`;
export const groupChannel = (groupId: string): string => `group:${groupId}`;
export const shopperChannel = (shopperId: string): string => `shopper:${shopperId}`;

/** Channels whose watcher count is public (presence). A shopper's own channel has one watcher: itself. */
export function hasPresence(kind: ChannelKind): boolean {
  return kind === 'offer' || kind === 'group';
}
