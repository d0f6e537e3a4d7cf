// Shopper commands on auctions: place_bid, buy_now, accept_price. Every check runs before any change, in a fixed
// order (docs/auctions.md): offer → kind of auction → closed → offer state → own offer → the command's own rules →
// per-shopper limit → exposure → bidder bound.
import { pricingInputsChanged, touch, type Ctx } from '../kernel/context.ts';
import { factsOf } from '../kernel/events.ts';
import { closeOfferNow } from '../kernel/offers.ts';
import { exposureElsewhere } from '../kernel/portfolio.ts';
import { activityChanged } from '../kernel/pricing-bridge.ts';
import { offerSoldBy, sellableProblem } from '../kernel/sellable.ts';
import { isRejection, reject, type CommandResult, type Rejection } from '../results.ts';
import { unreachable } from '../unreachable.ts';
import type { AuctionCommand, AuctionCommandOf } from './commands.ts';
import { sellNow } from './close.ts';
import { applyEnglishMaximum, englishBidProblem } from './english.ts';
import { moveLeader } from './leader.ts';
import { sealedBidProblem } from './sealed.ts';
import { AUCTION_LIMITS, type AuctionOffer, type Bid } from './state.ts';
import { buyNowAvailable, type AuctionAck } from './views.ts';

/** The command does not fit this kind of auction. */
function kindProblem(offer: AuctionOffer, type: AuctionCommand['type']): Rejection | null {
  const kind = offer.market.kind;
  if (type === 'place_bid' && kind === 'dutch') return reject('wrong_mechanism', `Offer "${offer.id}" is a Dutch auction: it takes accept_price at the clock's price, not bids.`);
  if (type === 'buy_now' && kind !== 'english') return reject('wrong_mechanism', `Offer "${offer.id}" is a ${kind} auction; only English auctions sell at a buy-now price.`);
  if (type === 'accept_price' && kind !== 'dutch') return reject('wrong_mechanism', `Offer "${offer.id}" is a ${kind} auction; only Dutch auctions take accept_price. Place a bid.`);
  return null;
}

function closedProblem(offer: AuctionOffer): Rejection | null {
  const outcome = offer.market.outcome;
  if (offer.market.status === 'open' || outcome === null) return null;
  return reject('auction_closed', `The auction of offer "${offer.id}" closed at ${outcome.closedAtMs} (${outcome.reason}); it takes nothing more.`);
}

/**
 * Exposure: the token's limit covers everything the shopper has committed in open auctions at once (its live bids,
 * from its portfolio), so a bid may commit at most the limit less what it has committed elsewhere (a bid here
 * replaces its own earlier bid here).
 */
function exposureProblem(ctx: Ctx, offer: AuctionOffer, cmd: AuctionCommand, commitsMinor: number): Rejection | null {
  const limitMinor = cmd.exposureLimitMinor;
  if (limitMinor === undefined) return null;
  const elsewhereMinor = exposureElsewhere(ctx.state, cmd.shopperId, offer.id);
  if (elsewhereMinor + commitsMinor <= limitMinor) return null;
  const left = Math.max(0, limitMinor - elsewhereMinor);
  return reject('exposure_exceeded', `This commits ${commitsMinor}; you may commit ${left} more (your limit ${limitMinor}, less ${elsewhereMinor} in other open auctions).`);
}

export function applyAuctionCommand(ctx: Ctx, cmd: AuctionCommand): CommandResult {
  const offer = offerSoldBy(ctx, cmd.offerId, 'auction');
  if (isRejection(offer)) return offer;
  const problem =
    kindProblem(offer, cmd.type) ??
    closedProblem(offer) ??
    sellableProblem(offer, ctx.nowMs) ??
    (cmd.shopperId === offer.merchantId ? reject('own_offer', `Offer "${offer.id}" is your own; a merchant cannot bid on it or buy it.`) : null);
  if (problem) return problem;
  switch (cmd.type) {
    case 'place_bid':
      return placeBid(ctx, offer, cmd);
    case 'buy_now':
      return buyNow(ctx, offer, cmd);
    case 'accept_price':
      return acceptPrice(ctx, offer, cmd);
    default:
      return unreachable(cmd);
  }
}

function bidProblem(ctx: Ctx, offer: AuctionOffer, own: Bid | undefined, cmd: AuctionCommandOf<'place_bid'>): Rejection | null {
  if (cmd.qty > offer.inventory) return reject('sold_out', `This auction sells ${offer.inventory} unit${offer.inventory === 1 ? '' : 's'}; ${cmd.qty} asked.`);
  const rules = offer.market.kind === 'english' ? englishBidProblem(offer, own, cmd.maxBidMinor) : sealedBidProblem(offer, own, cmd.maxBidMinor, cmd.qty);
  if (rules) return rules;
  if (offer.perShopperLimit !== null && cmd.qty > offer.perShopperLimit) {
    return reject('limit_exceeded', `A shopper may buy ${offer.perShopperLimit} units of this offer; ${cmd.qty} asked.`);
  }
  const exposure = exposureProblem(ctx, offer, cmd, cmd.maxBidMinor * cmd.qty);
  if (exposure) return exposure;
  if (own === undefined && offer.market.bids.size >= AUCTION_LIMITS.biddersMax) {
    return reject('too_many_bids', `The auction of offer "${offer.id}" has its maximum of ${AUCTION_LIMITS.biddersMax} bidders.`);
  }
  return null;
}

function placeBid(ctx: Ctx, offer: AuctionOffer, cmd: AuctionCommandOf<'place_bid'>): CommandResult {
  const auction = offer.market;
  const { shopperId } = cmd;
  let bid = auction.bids.get(shopperId);
  const problem = bidProblem(ctx, offer, bid, cmd);
  if (problem) return problem;

  const seq = ++auction.lastSeq;
  if (bid === undefined) {
    bid = { shopperId, bidderNo: auction.bids.size + 1, amountMinor: cmd.maxBidMinor, qty: cmd.qty, seq, atMs: ctx.nowMs };
    auction.bids.set(shopperId, bid);
  } else {
    bid.amountMinor = cmd.maxBidMinor;
    bid.qty = cmd.qty;
    bid.seq = seq;
    bid.atMs = ctx.nowMs;
  }
  auction.bidCount++;
  const english = auction.kind === 'english';
  let outbidShopperId: string | null = null;
  let leader: Bid | null = null;
  if (english) ({ outbid: outbidShopperId, leader } = applyEnglishMaximum(offer, bid));
  else if (auction.kind === 'vickrey') moveLeader(auction, bid);
  touch(ctx, offer, shopperId);
  // Bids are demand: a `bids_per_hour` surge rule reads them.
  activityChanged(ctx, offer, 0, 1);
  ctx.events.push({
    type: 'bid_placed',
    ...factsOf(offer),
    kind: auction.kind,
    shopperId,
    bidderNo: bid.bidderNo,
    bidMinor: bid.amountMinor,
    qty: bid.qty,
    priceMinor: english ? auction.priceMinor : null,
    leaderNo: leader === null ? null : leader.bidderNo,
    outbidShopperId,
    reserveMet: leader === null ? null : leader.amountMinor >= offer.market.settings.reservePriceMinor,
    bidders: auction.bids.size,
    bids: auction.bidCount,
    atMs: ctx.nowMs,
  });
  extendIfLate(ctx, offer);
  const ack: AuctionAck = {
    kind: auction.kind,
    bidMinor: bid.amountMinor,
    qty: bid.qty,
    leading: leader === null ? null : leader === bid,
    priceMinor: english ? auction.priceMinor : null,
    closed: false,
    endMs: offer.endMs,
  };
  return { ok: true, offerId: offer.id, auction: ack };
}

/**
 * Soft close: a bid accepted within `windowMs` of the end moves the end `extendMs` later, at most `maxExtensions`
 * times. The end is the offer's `endMs`, moved the way edit_offer moves it: a new `offer_end` entry is queued and
 * the old one goes stale by itself.
 */
function extendIfLate(ctx: Ctx, offer: AuctionOffer): void {
  const soft = offer.market.settings.softClose;
  const previousEndMs = offer.endMs;
  if (soft === undefined || previousEndMs === null || offer.market.extensionsUsed >= soft.maxExtensions) return;
  if (previousEndMs - ctx.nowMs > soft.windowMs) return;
  const endMs = previousEndMs + soft.extendMs;
  offer.endMs = endMs;
  offer.market.extensionsUsed++;
  ctx.state.deadlines.push({ atMs: endMs, kind: 'offer_end', id: offer.id, order: offer.createdSerial });
  ctx.events.push({ type: 'auction_extended', ...factsOf(offer), endMs, previousEndMs, extensionsUsed: offer.market.extensionsUsed, atMs: ctx.nowMs });
  // Time rules in the offer's rule set count down to its end.
  pricingInputsChanged(ctx, offer);
}

/**
 * Buying now, like accepting a Dutch clock, sells the one unit at once and closes the auction; the offer closes
 * with it (as ended, its `endMs` now), so it reads as over everywhere and its end deadline goes stale.
 */
function buyNow(ctx: Ctx, offer: AuctionOffer, cmd: AuctionCommandOf<'buy_now'>): CommandResult {
  const priceMinor = offer.market.settings.buyNowPriceMinor;
  if (priceMinor === undefined) return reject('buy_now_unavailable', `The auction of offer "${offer.id}" has no buy-now price; place a bid.`);
  if (!buyNowAvailable(offer)) return reject('buy_now_unavailable', 'Buy-now ended with the bidding (a bid meets the reserve); place a bid.');
  return sellAndClose(ctx, offer, cmd, 'buy_now', priceMinor);
}

function acceptPrice(ctx: Ctx, offer: AuctionOffer, cmd: AuctionCommandOf<'accept_price'>): CommandResult {
  return sellAndClose(ctx, offer, cmd, 'accepted', offer.market.priceMinor!);
}

function sellAndClose(ctx: Ctx, offer: AuctionOffer, cmd: AuctionCommand, reason: 'buy_now' | 'accepted', priceMinor: number): CommandResult {
  const exposure = exposureProblem(ctx, offer, cmd, priceMinor);
  if (exposure) return exposure;
  sellNow(ctx, offer, reason, cmd.shopperId, priceMinor);
  // The offer ended now: its end reads as the moment it sold.
  offer.endMs = ctx.nowMs;
  closeOfferNow(ctx, offer, 'ended', ctx.nowMs);
  const ack: AuctionAck = { kind: offer.market.kind, bidMinor: null, qty: 1, leading: null, priceMinor, closed: true, endMs: offer.endMs };
  return { ok: true, offerId: offer.id, auction: ack };
}
