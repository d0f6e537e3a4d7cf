// The auction's own consistency checks, run by `Engine.checkInvariants()`. They recompute by brute force what the
// engine keeps incrementally (the leader, the second-highest bid, the English price, the Dutch clock's price), so
// a drift between the two is caught at the step that caused it.
import type { EngineState } from '../kernel/state.ts';
import { dutchPriceAt } from './dutch.ts';
import { proxyPrice } from './english.ts';
import { AUCTION_LIMITS, type AuctionOffer, type Bid } from './state.ts';

/** The highest bid (earliest among equals) and the highest amount among the others, found by a full scan. */
function rankByScan(bids: Iterable<Bid>): { leader: Bid | undefined; secondMinor: number | null } {
  let leader: Bid | undefined;
  let secondMinor: number | null = null;
  for (const bid of bids) {
    if (leader === undefined || bid.amountMinor > leader.amountMinor || (bid.amountMinor === leader.amountMinor && bid.seq < leader.seq)) {
      if (leader !== undefined && (secondMinor === null || leader.amountMinor > secondMinor)) secondMinor = leader.amountMinor;
      leader = bid;
    } else if (secondMinor === null || bid.amountMinor > secondMinor) {
      secondMinor = bid.amountMinor;
    }
  }
  return { leader, secondMinor };
}

function bidViolations(offer: AuctionOffer, fail: (message: string) => void): void {
  const auction = offer.market;
  const at = `auction ${offer.id}`;
  if (auction.bids.size > AUCTION_LIMITS.biddersMax) fail(`${at}: ${auction.bids.size} bidders, over the bound`);
  if (auction.bidCount < auction.bids.size) fail(`${at}: ${auction.bidCount} bids from ${auction.bids.size} bidders`);
  const seqs = new Set<number>();
  let position = 0;
  for (const [shopperId, bid] of auction.bids) {
    position++;
    if (bid.shopperId !== shopperId) fail(`${at}: bid of ${bid.shopperId} filed under ${shopperId}`);
    if (bid.bidderNo !== position) fail(`${at}: ${shopperId} is bidder ${bid.bidderNo} at position ${position}`);
    if (bid.seq < 1 || bid.seq > auction.lastSeq || seqs.has(bid.seq)) fail(`${at}: ${shopperId} has a bad seq ${bid.seq}`);
    seqs.add(bid.seq);
    if (bid.qty < 1 || bid.qty > offer.inventory) fail(`${at}: ${shopperId} bids for ${bid.qty} of ${offer.inventory} units`);
    if (offer.perShopperLimit !== null && bid.qty > offer.perShopperLimit) fail(`${at}: ${shopperId} bids for more than the per-shopper limit`);
    if (bid.amountMinor < offer.basePriceMinor) fail(`${at}: ${shopperId} bids below the opening price`);
    if (shopperId === offer.merchantId) fail(`${at}: the merchant bids on their own offer`);
  }
}

function rankingViolations(offer: AuctionOffer, fail: (message: string) => void): void {
  const auction = offer.market;
  const at = `auction ${offer.id}`;
  if (auction.kind === 'english' || auction.kind === 'vickrey') {
    const { leader, secondMinor } = rankByScan(auction.bids.values());
    if ((leader?.shopperId ?? null) !== auction.leaderId) fail(`${at}: leader ${auction.leaderId} but the bids rank ${leader?.shopperId ?? 'nobody'} first`);
    if (secondMinor !== auction.secondMinor) fail(`${at}: second-highest ${auction.secondMinor} but the bids say ${secondMinor}`);
    if (auction.kind === 'english') {
      const price = leader === undefined ? null : proxyPrice(offer.market.settings, offer.basePriceMinor, leader.amountMinor, secondMinor);
      if (price !== auction.priceMinor) fail(`${at}: price ${auction.priceMinor} but the maxima give ${price}`);
    }
  } else if (auction.leaderId !== null || auction.secondMinor !== null) {
    fail(`${at}: a ${auction.kind} auction keeps no leader`);
  }
}

function dutchViolations(state: EngineState, offer: AuctionOffer, fail: (message: string) => void): void {
  const auction = offer.market;
  const at = `auction ${offer.id}`;
  const clock = offer.market.settings.dutch;
  if ((auction.kind === 'dutch') !== (auction.dutch !== null && clock !== undefined)) fail(`${at}: clock state does not match its kind`);
  if (auction.dutch === null || clock === undefined || auction.status !== 'open') return;
  const expected = dutchPriceAt(offer, state.nowMs);
  if (auction.priceMinor !== expected) fail(`${at}: clock at ${auction.priceMinor}, due ${expected} at ${state.nowMs}`);
  const next = auction.dutch.nextStepAtMs;
  if (next === null ? auction.priceMinor !== clock.floorPriceMinor : next <= state.nowMs) fail(`${at}: clock step ${next} wrong or overdue`);
}

/** The auction's own invariants, each broken one reported through `fail`. */
export function auctionViolations(state: EngineState, offer: AuctionOffer, fail: (message: string) => void): void {
  const auction = offer.market;
  const at = `auction ${offer.id}`;
  if (auction.kind !== offer.market.settings.kind) fail(`${at}: kind ${auction.kind} but the offer says ${offer.market.settings.kind}`);
  if ((auction.status === 'closed') !== (offer.status === 'closed')) fail(`${at}: ${auction.status} on a ${offer.status} offer`);
  if (auction.status === 'open' && (auction.outcome !== null || offer.soldUnits !== 0)) fail(`${at}: open with an outcome or units sold`);
  if (auction.status === 'closed' && auction.outcome?.unitsSold !== offer.soldUnits) fail(`${at}: closed, but its outcome does not match the units sold`);
  if (offer.heldUnits !== 0) fail(`${at}: holds ${offer.heldUnits} units; an auction holds none (winners' units are held and sold at the close)`);
  if (auction.extensionsUsed > (offer.market.settings.softClose?.maxExtensions ?? 0)) fail(`${at}: ${auction.extensionsUsed} extensions, over the cap`);
  bidViolations(offer, fail);
  rankingViolations(offer, fail);
  dutchViolations(state, offer, fail);
}
