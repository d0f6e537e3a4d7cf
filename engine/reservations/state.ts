// The live state of one reservation offer (`Offer.reservation`).
export interface ReservationState {
  placeholder: true;
}

/** What a snapshot holds of it: plain JSON-able data. */
export type ReservationData = ReservationState;
