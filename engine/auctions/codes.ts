// Rejection codes only auctions answer with (results.ts lists them beside the core codes). No imports: results.ts
// reads this at load time.
export const AUCTION_REJECTION_CODES = [
  /** The offer is not an auction, or not the kind of auction the command is for. */
  'wrong_mechanism',
  /** The auction has closed (its end came, it was bought now, accepted, or its offer closed). */
  'auction_closed',
  /** The bid is below the opening bid, the current price plus the increment, or the bidder's own earlier bid. */
  'bid_too_low',
  /** The offer's own merchant may not bid on it. */
  'own_offer',
  /** The bid would commit more than the shopper's allowed exposure. */
  'exposure_exceeded',
  /** Buy-now is not offered, or is off since the first bid. */
  'buy_now_unavailable',
  /** More bidders than the auction's bound. */
  'too_many_bids',
] as const;
