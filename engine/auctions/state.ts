// The live state of one auction offer (`Offer.auction`).
export interface AuctionState {
  placeholder: true;
}

/** What a snapshot holds of it: plain JSON-able data. */
export type AuctionData = AuctionState;
