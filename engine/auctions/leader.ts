// The highest bid and the second-highest amount of an English or Vickrey auction, kept as bids come. Bids only
// rise, so neither ever has to be searched for again: every bid is O(1).
import type { AuctionState, Bid } from './state.ts';

export function leaderBid(auction: AuctionState): Bid | undefined {
  return auction.leaderId === null ? undefined : auction.bids.get(auction.leaderId);
}

/**
 * Takes a bid that has just been placed or raised (already in the map with its new amount and `seq`) into the
 * ranking. `leader` is the leader before it (looked up when not given). Returns the shopper who lost the lead to
 * it, or null.
 */
export function moveLeader(auction: AuctionState, bid: Bid, leader: Bid | undefined = leaderBid(auction)): string | null {
  if (leader === undefined) {
    auction.leaderId = bid.shopperId;
    return null;
  }
  // The leader raising their own bid leaves the second-highest where it was.
  if (leader === bid) return null;
  if (bid.amountMinor > leader.amountMinor) {
    // Overtaken: the old leader's amount was above every other, so it is the second-highest now.
    auction.leaderId = bid.shopperId;
    auction.secondMinor = leader.amountMinor;
    return leader.shopperId;
  }
  // Equal to the leader's amount counts as below it: the leader's was set earlier.
  if (auction.secondMinor === null || bid.amountMinor > auction.secondMinor) auction.secondMinor = bid.amountMinor;
  return null;
}
