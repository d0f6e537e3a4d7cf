// The auction mechanism (竞价, SPEC §3: English, Vickrey, uniform-price, Dutch) as the kernel sees it: one object
// implementing `Mechanism`. Everything else about auctions stays inside this folder (docs/auctions.md).
import type { Mechanism, OfferOf, PricingShape } from '../mechanism.ts';
import { availableUnits } from '../kernel/inventory.ts';
import { singleUnitQuote } from '../kernel/pricing-bridge.ts';
import { reject } from '../results.ts';
import { applyAuctionCommand } from './bids.ts';
import { settleByBids } from './close.ts';
import { AUCTION_REJECTION_CODES } from './codes.ts';
import { AUCTION_COMMANDS, AuctionSettings, type AuctionCommand } from './commands.ts';
import { isDutchStepLive, pushDutchStep, settleDutchStep, startDutchClock } from './dutch.ts';
import { AUCTION_EVENTS, type AuctionEvent } from './events.ts';
import { auctionViolations } from './invariants.ts';
import { leaderBid } from './leader.ts';
import { auctionPatchProblem, auctionSettingsProblem } from './settings.ts';
import { auctionFromData, auctionToData, newAuctionMarket, type AuctionData, type AuctionMarket, type AuctionOffer } from './state.ts';
import { auctionView, type AuctionAck, type AuctionView } from './views.ts';

export type { AuctionEvent, AuctionWinner } from './events.ts';
export type { AuctionMarket, AuctionData, AuctionOffer } from './state.ts';
export type { AuctionAck, AuctionView } from './views.ts';
export { AuctionSettings, PlaceBid, BuyNow, AcceptPrice } from './commands.ts';

/** A shopper's live bid in an open auction, as that shopper's own view lists it. */
export interface OwnBidView {
  offerId: string;
  kind: AuctionMarket['kind'];
  /** The shopper's public alias in this auction. */
  bidderNo: number;
  /** English: the hidden maximum; sealed kinds: the price a unit. */
  bidMinor: number;
  qty: number;
  placedAtMs: number;
  /** English: whether this bid leads; null for sealed kinds (nobody knows before the close). */
  leading: boolean | null;
  auction: AuctionView;
}

/** Auctions price one unit for one shopper: their rule set (the base price, unless a merchant's) at size 1. */
const AUCTION_PRICING: PricingShape<OfferOf<AuctionMarket>> = {
  headline: () => ({ size: 1, minSize: 1, groupDeadlineMs: null }),
  queueLength: () => 0,
  derived: () => ({ tiers: [], leaderDiscountBps: 0 }),
};

export interface AuctionTypes {
  type: 'auction';
  settings: AuctionSettings;
  settingsSchema: typeof AuctionSettings;
  commandSchemas: typeof AUCTION_COMMANDS;
  market: AuctionMarket;
  command: AuctionCommand;
  event: AuctionEvent;
  data: AuctionData;
  portfolioItem: OwnBidView;
  global: null;
  globalData: null;
  rejectionCode: (typeof AUCTION_REJECTION_CODES)[number];
  patch: Record<never, never>;
  /** Auction commands: what the bid, buy or acceptance did. */
  ack: { auction?: AuctionAck };
}

export const auctions: Mechanism<AuctionTypes> = {
  type: 'auction',
  settingsSchema: AuctionSettings,
  commandSchemas: AUCTION_COMMANDS,
  patchShape: {},
  rejectionCodes: AUCTION_REJECTION_CODES,
  events: AUCTION_EVENTS,
  pricing: AUCTION_PRICING,
  portfolioKey: 'bids',
  global: null,

  settingsProblem: (cmd, settings) => auctionSettingsProblem(cmd, settings),
  newMarket: (settings) => newAuctionMarket(settings),
  started(ctx, offer) {
    if (offer.market.kind === 'dutch') startDutchClock(ctx, offer);
  },
  apply: applyAuctionCommand,

  quote(ctx, offer, cmd, shopper) {
    if (cmd.groupId !== undefined) return reject('unknown_group', `Offer "${offer.id}" is an auction: it has no groups.`);
    return { ok: true, offerId: offer.id, quote: singleUnitQuote(offer, AUCTION_PRICING, ctx.nowMs, shopper, true), availableUnits: availableUnits(offer) };
  },

  // Only a Dutch clock's steps are the auction's own deadlines; its close is the offer's end.
  isDeadlineLive: (offer, entry) => offer.status !== 'closed' && isDutchStepLive(offer, entry),
  settleDeadline: (ctx, offer, entry) => settleDutchStep(ctx, offer, entry.atMs),

  /**
   * An auction still open when its offer closes settles by its bids (a merchant's close settles it as if it had ended
   * then). One already closed (buy-now, accepted) stays as it is.
   */
  closeWithOffer(ctx, offer, reason, atMs) {
    if (offer.market.status === 'closed') return;
    settleByBids(ctx, offer, reason === 'merchant' ? 'offer_closed' : 'ended', atMs);
  },

  patchProblem: (_ctx, offer, patch) => auctionPatchProblem(offer, patch),
  edited: () => undefined,
  // Nothing is held while bidding (no other mechanism sells the offer's units); winners' units are held and sold in
  // the same step at the close.
  heldUnits: () => 0,
  idle: () => true,
  invariants: auctionViolations,
  viewFields: (offer) => ({ auction: auctionView(offer) }),
  publicSettings(settings) {
    // The reserve's amount stays hidden: the view says only `hasReserve` and, for English auctions, `reserveMet`.
    // eslint-disable-next-line @typescript-eslint/no-unused-vars
    const { reservePriceMinor, ...rest } = settings;
    return rest;
  },
  involvement(offer, shopperId) {
    if (offer.market.status !== 'open') return null;
    const bid = offer.market.bids.get(shopperId);
    return bid === undefined ? null : { exposureMinor: bid.amountMinor * bid.qty };
  },
  participants: (offer) => (offer.market.status === 'open' ? offer.market.bids.keys() : []),
  portfolioItems(offer, shopperId) {
    const auction = offer.market;
    const bid = auction.status === 'open' ? auction.bids.get(shopperId) : undefined;
    if (bid === undefined) return [];
    const leading = auction.kind === 'english' ? leaderBid(auction) === bid : null;
    return [{ offerId: offer.id, kind: auction.kind, bidderNo: bid.bidderNo, bidMinor: bid.amountMinor, qty: bid.qty, placedAtMs: bid.atMs, leading, auction: auctionView(offer) }];
  },
  toData: auctionToData,
  fromData: (data) => auctionFromData(data),
  pushDeadlines(offer: AuctionOffer, deadlines) {
    if (offer.market.status === 'open') pushDutchStep(offer, deadlines);
  },
};
