// Auction metrics: per auction its outcome (clearing price, units sold, revenue, bids, soft-close extensions), its
// winners' surplus (value − price paid) and whether the allocation was efficient (the units went to the bidders who
// valued them most), plus the bids over time for the charts; and the totals over every auction of the run. Values
// come from `bidder_arrived` (the behaviour's private values), outcomes from the public close and each winner's
// private order, so both modes measure alike (a live run hears the close and the orders in either order: the
// figures are computed when the report is made).
import type { OfferSpec } from '../scenario-schema.ts';
import type { Observation } from '../observations.ts';
import { sortedRecord } from './group-metrics.ts';
import { PointSample, type SamplePoint } from './point-sample.ts';
import { ratio, round3, ValueDistribution, type DistributionSummary } from './value-distribution.ts';

/** Bidders remembered per auction with their values; past it, arrivals are not counted in the efficiency. */
const PARTICIPANTS_MAX = 20_000;
/** Winners listed per auction (a uniform-price auction may have many). */
const WINNERS_LISTED_MAX = 50;
/** Bid points kept per auction for the chart. */
const BID_POINTS_MAX = 600;

export interface AuctionWinnerFacts {
  shopperId: string;
  strategy: string | null;
  qty: number;
  unitPriceMinor: number;
  paidMinor: number;
  /** The winner's value per unit, and (value − unit price) × qty; null when its value was not remembered. */
  valueMinor: number | null;
  surplusMinor: number | null;
}

export interface AuctionOfferMetrics {
  offerId: string;
  kind: string;
  status: 'open' | 'closed';
  /** `ended`, `buy_now`, `accepted`, `offer_closed`; null while open. */
  reason: string | null;
  closedAtMs: number | null;
  /** The end as last announced (soft-close extensions included); null for a Dutch clock without an end. */
  endMs: number | null;
  units: number;
  /** The unit price every winner paid; null when nothing sold. */
  clearingPriceMinor: number | null;
  soldUnits: number;
  revenueMinor: number;
  /** Bidders who arrived for this auction (whether or not they could bid). */
  participantCount: number;
  bidderCount: number;
  bidCount: number;
  extensionCount: number;
  /** The highest value among the participants, and the best total value the units could have gone for. */
  highestValueMinor: number | null;
  optimalValueMinor: number;
  /** Σ winners' value × units won. */
  realizedValueMinor: number;
  /** Whether the units went to the bidders who valued them most (null: nobody could pay the floor, or still open). */
  efficient: boolean | null;
  valueCapturedRatio: number | null;
  winners: AuctionWinnerFacts[];
  /** `[simulated ms, bid]` of accepted bids (English: the bidder's maximum; sealed: its price a unit), thinned evenly. */
  bidPoints: SamplePoint[];
}

export interface AuctionMetrics {
  auctions: {
    auctionCount: number;
    closedCount: number;
    /** Auctions that sold at least one unit. */
    soldCount: number;
    revenueMinor: number;
    soldUnits: number;
    bidCount: number;
    extensionCount: number;
    /** One sample per auction that sold. */
    clearingPriceMinor: DistributionSummary;
    /** One sample per winner: (value − unit price) × units. */
    winnerSurplusMinor: DistributionSummary;
    totalWinnerSurplusMinor: number;
    /** Efficient auctions of the closed auctions where someone could pay the floor. */
    efficientRatio: number;
    /** Σ realized value / Σ optimal value over those auctions. */
    valueCapturedRatio: number;
    winsByStrategy: Record<string, number>;
    offers: AuctionOfferMetrics[];
  };
}

interface Participant {
  valueMinor: number;
  qty: number;
  strategy: string;
}

interface AuctionTally {
  spec: OfferSpec;
  participants: Map<string, Participant>;
  participantCount: number;
  closed: { reason: string; atMs: number; clearingPriceMinor: number | null; unitsSold: number } | null;
  endMs: number | null;
  bidders: number;
  bids: number;
  extensions: number;
  wins: { shopperId: string; qty: number; unitPriceMinor: number; paidMinor: number }[];
  bidPoints: PointSample;
}

export class AuctionMetricsCollector {
  private readonly tallies = new Map<string, AuctionTally>();

  constructor(offers: readonly OfferSpec[], startMs: number) {
    for (const spec of offers) {
      if (spec.mechanism.type !== 'auction') continue;
      this.tallies.set(spec.id, {
        spec,
        participants: new Map(),
        participantCount: 0,
        closed: null,
        endMs: spec.endAfter !== undefined ? startMs + spec.endAfter : null,
        bidders: 0,
        bids: 0,
        extensions: 0,
        wins: [],
        bidPoints: new PointSample(BID_POINTS_MAX),
      });
    }
  }

  /** Auctions still open that will close by themselves (a Dutch clock without an end waits for a taker). */
  get openWithEnd(): number {
    let count = 0;
    for (const tally of this.tallies.values()) if (tally.closed === null && tally.endMs !== null) count++;
    return count;
  }

  observe(o: Observation): void {
    if (!('offerId' in o)) return;
    const tally = this.tallies.get(o.offerId);
    if (!tally) return;
    switch (o.type) {
      case 'bidder_arrived':
        tally.participantCount++;
        if (tally.participants.size < PARTICIPANTS_MAX) tally.participants.set(o.shopperId, { valueMinor: o.valueMinor, qty: o.qty, strategy: o.strategy });
        return;
      case 'bid_placed':
        tally.bidders = Math.max(tally.bidders, o.bidders);
        tally.bids = Math.max(tally.bids, o.bids);
        return;
      case 'bid_owned':
        tally.bidPoints.add(o.atMs, o.bidMinor);
        return;
      case 'auction_extended':
        tally.extensions++;
        tally.endMs = o.endMs;
        return;
      case 'auction_closed':
        if (tally.closed) return;
        tally.closed = { reason: o.reason, atMs: o.atMs, clearingPriceMinor: o.clearingPriceMinor, unitsSold: o.unitsSold };
        tally.bidders = Math.max(tally.bidders, o.bidders);
        tally.bids = Math.max(tally.bids, o.bids);
        return;
      case 'auction_won':
        tally.wins.push({ shopperId: o.shopperId, qty: o.qty, unitPriceMinor: o.unitPriceMinor, paidMinor: o.paidMinor });
        return;
      default:
        return;
    }
  }

  result(): AuctionMetrics {
    const offers = [...this.tallies.values()].map((tally) => this.offerResult(tally));
    const clearing = new ValueDistribution();
    const surplus = new ValueDistribution();
    const winsByStrategy: Record<string, number> = {};
    let totalSurplus = 0;
    let possible = 0;
    let efficient = 0;
    let optimal = 0;
    let realized = 0;
    for (const offer of offers) {
      if (offer.clearingPriceMinor !== null) clearing.record(offer.clearingPriceMinor);
      for (const winner of offer.winners) {
        if (winner.surplusMinor !== null) {
          surplus.record(winner.surplusMinor);
          totalSurplus += winner.surplusMinor;
        }
        const strategy = winner.strategy ?? 'unknown';
        winsByStrategy[strategy] = (winsByStrategy[strategy] ?? 0) + 1;
      }
      if (offer.efficient === null) continue;
      possible++;
      if (offer.efficient) efficient++;
      optimal += offer.optimalValueMinor;
      realized += offer.realizedValueMinor;
    }
    return {
      auctions: {
        auctionCount: offers.length,
        closedCount: offers.filter((o) => o.status === 'closed').length,
        soldCount: offers.filter((o) => o.soldUnits > 0).length,
        revenueMinor: offers.reduce((sum, o) => sum + o.revenueMinor, 0),
        soldUnits: offers.reduce((sum, o) => sum + o.soldUnits, 0),
        bidCount: offers.reduce((sum, o) => sum + o.bidCount, 0),
        extensionCount: offers.reduce((sum, o) => sum + o.extensionCount, 0),
        clearingPriceMinor: clearing.summary(),
        winnerSurplusMinor: surplus.summary(),
        totalWinnerSurplusMinor: totalSurplus,
        efficientRatio: ratio(efficient, possible),
        valueCapturedRatio: ratio(realized, optimal),
        winsByStrategy: sortedRecord(winsByStrategy),
        offers,
      },
    };
  }

  private offerResult(tally: AuctionTally): AuctionOfferMetrics {
    const m = tally.spec.mechanism;
    if (m.type !== 'auction') throw new Error(`offer ${tally.spec.id} is not an auction`);
    const units = m.kind === 'uniform' ? tally.spec.inventory : 1;
    // The lowest price the seller takes: nobody valuing the units below it can be part of an efficient sale.
    const floor = m.kind === 'dutch' ? (m.dutch?.floorPriceMinor ?? tally.spec.basePriceMinor) : Math.max(tally.spec.basePriceMinor, m.reservePriceMinor);
    const unitValues: number[] = [];
    let highest: number | null = null;
    for (const p of tally.participants.values()) {
      highest = highest === null ? p.valueMinor : Math.max(highest, p.valueMinor);
      if (p.valueMinor >= floor) for (let k = 0; k < Math.min(p.qty, units); k++) unitValues.push(p.valueMinor);
    }
    unitValues.sort((a, b) => b - a);
    const optimal = unitValues.slice(0, units).reduce((sum, v) => sum + v, 0);
    let realized = 0;
    let revenue = 0;
    let sold = 0;
    const winners: AuctionWinnerFacts[] = [];
    for (const win of tally.wins) {
      const p = tally.participants.get(win.shopperId);
      revenue += win.paidMinor;
      sold += win.qty;
      if (p) realized += p.valueMinor * win.qty;
      if (winners.length < WINNERS_LISTED_MAX) {
        winners.push({
          ...win,
          strategy: p?.strategy ?? null,
          valueMinor: p?.valueMinor ?? null,
          surplusMinor: p ? (p.valueMinor - win.unitPriceMinor) * win.qty : null,
        });
      }
    }
    const closed = tally.closed;
    const decided = closed !== null && optimal > 0;
    return {
      offerId: tally.spec.id,
      kind: m.kind,
      status: closed ? 'closed' : 'open',
      reason: closed?.reason ?? null,
      closedAtMs: closed?.atMs ?? null,
      endMs: closed ? closed.atMs : tally.endMs,
      units,
      clearingPriceMinor: closed?.clearingPriceMinor ?? null,
      soldUnits: sold,
      revenueMinor: revenue,
      participantCount: tally.participantCount,
      bidderCount: tally.bidders,
      bidCount: tally.bids,
      extensionCount: tally.extensions,
      highestValueMinor: highest,
      optimalValueMinor: optimal,
      realizedValueMinor: realized,
      efficient: decided ? realized === optimal : null,
      valueCapturedRatio: decided ? round3(realized / optimal) : null,
      winners,
      bidPoints: tally.bidPoints.toPoints(),
    };
  }
}
