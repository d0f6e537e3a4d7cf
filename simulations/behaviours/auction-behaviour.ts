// Bidders of auction scenarios (see auction-schema.ts). Each bidder's traits (offer, strategy, value, units,
// reaction time, raise, snipe lead, whether it would buy now, exposure limit) are drawn up front from its own random
// stream, so variants meet the very same bidders. What a bidder knows of an auction is what anyone watching it
// knows (the public price, the number of bids, the end after extensions, the Dutch clock) plus its own bids and
// outbid notices: the same in both modes.
import type { MechanismSettings } from '../../engine/index.ts';
import { sampleInt } from '../distributions.ts';
import type { Observation } from '../observations.ts';
import { pickWeighted, streamFor } from '../random.ts';
import type { Scenario } from '../scenario-schema.ts';
import { unreachable } from '../unreachable.ts';
import { AUCTION_STRATEGIES, type AuctionBehaviour, type AuctionStrategy } from './auction-schema.ts';
import { offerPicker, sendObserved } from './shared.ts';
import type { Behaviour, ShopperCommand, ShopperHost, SimShopper, Outcome } from './types.ts';

type AuctionSettings = Extract<MechanismSettings, { type: 'auction' }>;

interface Bidder {
  shopper: SimShopper;
  offerId: string;
  strategy: AuctionStrategy;
  valueMinor: number;
  qty: number;
  reactionMs: number;
  raiseMinor: number;
  snipeLeadMs: number;
  wantsBuyNow: boolean;
  /** Its maximum (English) or sealed bid as it stands; 0 before its first bid. */
  maxBidMinor: number;
  bidsSent: number;
  /** English: whether it leads, as far as it knows. */
  leading: boolean;
  /** Cancels the bidder's next scheduled action (a raise, a snipe, an acceptance). */
  cancelPending: (() => void) | null;
  done: boolean;
}

/** One auction as its watchers know it. */
interface Market {
  settings: AuctionSettings;
  openingMinor: number;
  /** Units on sale and the most one bidder may ask for. */
  unitsMax: number;
  endMs: number | null;
  bids: number;
  /** English: the public price after the last bid; Dutch: the clock. */
  priceMinor: number | null;
  closed: boolean;
  /** Bidders still acting in this auction (cleared at its close). */
  bidders: Map<string, Bidder>;
}

export function createAuctionBehaviour(scenario: Scenario, host: ShopperHost): Behaviour {
  const spec = scenario.behaviour as AuctionBehaviour;
  const pickOffer = offerPicker(scenario, spec.offerWeights);
  const strategyWeights = AUCTION_STRATEGIES.map((s) => [s, spec.strategy[s]] as const);
  const markets = new Map<string, Market>();
  for (const offer of scenario.offers) {
    if (offer.mechanism.type !== 'auction') continue;
    markets.set(offer.id, {
      settings: offer.mechanism,
      openingMinor: offer.basePriceMinor,
      unitsMax: Math.min(offer.mechanism.kind === 'uniform' ? offer.inventory : 1, offer.perShopperLimit ?? Number.POSITIVE_INFINITY),
      endMs: offer.endAfter !== undefined ? scenario.startAt + offer.endAfter : null,
      bids: 0,
      priceMinor: offer.mechanism.kind === 'dutch' ? offer.basePriceMinor : null,
      closed: false,
      bidders: new Map(),
    });
  }

  const send = (bidder: Bidder, command: ShopperCommand, then: (outcome: Outcome) => void) => sendObserved(host, bidder.shopper, bidder.offerId, command, then);
  const market = (bidder: Bidder) => markets.get(bidder.offerId)!;

  function finish(bidder: Bidder): void {
    if (bidder.done) return;
    bidder.done = true;
    bidder.cancelPending?.();
    bidder.cancelPending = null;
    markets.get(bidder.offerId)?.bidders.delete(bidder.shopper.id);
    host.finished(bidder.shopper);
  }

  function later(bidder: Bidder, delayMs: number, action: () => void): void {
    bidder.cancelPending?.();
    bidder.cancelPending = host.after(delayMs, () => {
      bidder.cancelPending = null;
      if (!bidder.done) action();
    });
  }

  /** The smallest bid a new bidder may place now, as the public state tells it. */
  function minimumBid(m: Market): number {
    if (m.settings.kind !== 'english' || m.bids === 0 || m.priceMinor === null) return m.openingMinor;
    let step = 1;
    for (const band of m.settings.increments) if (band.fromMinor <= m.priceMinor) step = band.stepMinor;
    return m.priceMinor + step;
  }

  function walkAway(bidder: Bidder, quotedMinor: number): void {
    host.observe({ type: 'walked_away', shopperId: bidder.shopper.id, offerId: bidder.offerId, quotedMinor, valueMinor: bidder.valueMinor, atMs: host.nowMs });
    finish(bidder);
  }

  /** Proxy and sealed bids, and a sniper's shot: the bidder's value, once. */
  function bidValueOnce(bidder: Bidder): void {
    const m = market(bidder);
    if (m.closed) return finish(bidder);
    const minimum = minimumBid(m);
    if (bidder.valueMinor < minimum) return walkAway(bidder, minimum);
    bidder.bidsSent++;
    send(bidder, { type: 'place_bid', offerId: bidder.offerId, maxBidMinor: bidder.valueMinor, qty: bidder.qty }, () => finish(bidder));
  }

  /** Incremental: the smallest raise the auction takes (plus the bidder's own raise), up to its value. */
  function raise(bidder: Bidder): void {
    const m = market(bidder);
    if (m.closed || bidder.bidsSent >= spec.maxBids) return finish(bidder);
    if (bidder.leading) return;
    const minimum = minimumBid(m);
    const bid = Math.min(bidder.valueMinor, minimum + bidder.raiseMinor);
    if (bid < minimum || bid <= bidder.maxBidMinor) return bidder.maxBidMinor === 0 ? walkAway(bidder, minimum) : finish(bidder);
    bidder.bidsSent++;
    send(bidder, { type: 'place_bid', offerId: bidder.offerId, maxBidMinor: bid, qty: 1 }, (outcome) => {
      if (bidder.done) return;
      if (outcome.ok) {
        bidder.maxBidMinor = bid;
        bidder.leading = outcome.auction?.leading === true;
        // Outbid at once by a higher hidden maximum: look at the new price and try again.
        if (!bidder.leading) later(bidder, bidder.reactionMs, () => raise(bidder));
      } else if (outcome.code === 'bid_too_low') {
        // The price moved before the bid landed: read it again.
        later(bidder, bidder.reactionMs, () => raise(bidder));
      } else {
        finish(bidder);
      }
    });
  }

  function scheduleSnipe(bidder: Bidder): void {
    const m = market(bidder);
    if (m.endMs === null) return bidValueOnce(bidder);
    later(bidder, Math.max(0, m.endMs - bidder.snipeLeadMs - host.nowMs), () => bidValueOnce(bidder));
  }

  /** Dutch: the price at which this bidder takes the unit. */
  const threshold = (bidder: Bidder) => Math.floor(bidder.valueMinor * (1 - spec.dutchMarginRatio));

  function watchClock(bidder: Bidder): void {
    const m = market(bidder);
    if (m.closed) return finish(bidder);
    // One acceptance per bidder: waiting to react, or already sent.
    if (m.priceMinor === null || m.priceMinor > threshold(bidder) || bidder.cancelPending || bidder.bidsSent > 0) return;
    later(bidder, bidder.reactionMs, () => {
      if (market(bidder).closed) return finish(bidder);
      bidder.bidsSent++;
      send(bidder, { type: 'accept_price', offerId: bidder.offerId }, () => finish(bidder));
    });
  }

  function start(bidder: Bidder): void {
    const m = market(bidder);
    if (m.closed) return finish(bidder);
    m.bidders.set(bidder.shopper.id, bidder);
    const kind = m.settings.kind;
    if (kind === 'dutch') return watchClock(bidder);
    const buyNow = m.settings.buyNowPriceMinor;
    if (kind === 'english' && bidder.wantsBuyNow && buyNow !== undefined && m.bids === 0 && bidder.valueMinor >= buyNow) {
      return send(bidder, { type: 'buy_now', offerId: bidder.offerId }, (outcome) => {
        if (outcome.ok) finish(bidder);
        else if (!bidder.done) follow(bidder, kind);
      });
    }
    follow(bidder, kind);
  }

  function follow(bidder: Bidder, kind: AuctionSettings['kind']): void {
    switch (bidder.strategy) {
      case 'sniper':
        return scheduleSnipe(bidder);
      case 'incremental':
        return kind === 'english' ? raise(bidder) : bidValueOnce(bidder);
      case 'proxy':
        return bidValueOnce(bidder);
      default:
        return unreachable(bidder.strategy);
    }
  }

  return {
    arrive(index) {
      if (!host.admitShopper()) return host.observe({ type: 'shopper_capped', atMs: host.nowMs });
      const id = `s${index}`;
      const rng = streamFor(scenario.seed, `shopper:${id}`);
      // A fixed order of draws, whatever is used later, keeps every trait tied to the same random numbers.
      const newcomer = rng.chance(scenario.shoppers.newcomerShare);
      const offerId = pickOffer(rng);
      const strategy = pickWeighted(rng, strategyWeights);
      const valueMinor = sampleInt(spec.valueMinor, rng, 1);
      const qtyWanted = sampleInt(spec.qty, rng, 1);
      const reactionMs = sampleInt(spec.reaction, rng, 0);
      const raiseMinor = sampleInt(spec.raiseMinor, rng, 0);
      const snipeLeadMs = sampleInt(spec.snipeLead, rng, 0);
      const wantsBuyNow = rng.chance(spec.buyNowProbability);
      const exposure = spec.exposureLimitMinor ? sampleInt(spec.exposureLimitMinor, rng, 0) : null;
      const m = markets.get(offerId)!;
      const bidder: Bidder = {
        shopper: { id, newcomer, ...(exposure !== null ? { exposureLimitMinor: exposure } : {}) },
        offerId,
        strategy,
        valueMinor,
        qty: Math.max(1, Math.min(qtyWanted, m.unitsMax)),
        reactionMs,
        raiseMinor,
        snipeLeadMs,
        wantsBuyNow,
        maxBidMinor: 0,
        bidsSent: 0,
        leading: false,
        cancelPending: null,
        done: false,
      };
      host.observe({ type: 'shopper_arrived', shopperId: id, offerId, invitedBy: null, atMs: host.nowMs });
      host.observe({ type: 'bidder_arrived', shopperId: id, offerId, valueMinor, qty: bidder.qty, strategy, atMs: host.nowMs });
      start(bidder);
    },
    onObservation(o: Observation) {
      switch (o.type) {
        case 'bid_placed': {
          const m = markets.get(o.offerId);
          if (!m) return;
          m.bids = Math.max(m.bids, o.bids);
          if (o.priceMinor !== null) m.priceMinor = o.priceMinor;
          return;
        }
        case 'outbid': {
          const bidder = markets.get(o.offerId)?.bidders.get(o.shopperId);
          if (!bidder || bidder.strategy !== 'incremental') return;
          bidder.leading = false;
          later(bidder, bidder.reactionMs, () => raise(bidder));
          return;
        }
        case 'auction_extended': {
          const m = markets.get(o.offerId);
          if (!m) return;
          m.endMs = o.endMs;
          // Snipers still waiting aim at the new end.
          for (const bidder of m.bidders.values()) if (bidder.strategy === 'sniper' && bidder.cancelPending) scheduleSnipe(bidder);
          return;
        }
        case 'auction_price_dropped': {
          const m = markets.get(o.offerId);
          if (!m) return;
          m.priceMinor = o.priceMinor;
          for (const bidder of [...m.bidders.values()]) watchClock(bidder);
          return;
        }
        case 'auction_closed':
        case 'offer_closed': {
          const m = markets.get(o.offerId);
          if (!m || m.closed) return;
          m.closed = true;
          for (const bidder of [...m.bidders.values()]) finish(bidder);
          return;
        }
        default:
          return;
      }
    },
  };
}
