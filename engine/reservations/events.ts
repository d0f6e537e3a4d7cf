// Events reservations emit (past tense), streamed on the offer's channel and read by the effects outbox.
export type ReservationEvent = { type: 'reservation_placeholder'; offerId: string; atMs: number };
