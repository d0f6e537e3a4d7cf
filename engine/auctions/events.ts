// Events auctions emit (past tense), streamed on the offer's channel and read by the effects outbox.
export type AuctionEvent = { type: 'auction_placeholder'; offerId: string; atMs: number };
