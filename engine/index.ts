// Public surface of the engine. Everything outside engine/ imports from here.
export { Engine, type Applied } from './engine.ts';
export * from './commands.ts';
export type { EngineEvent, EventType, MemberSettlement } from './events.ts';
export { REJECTION_CODES, CORE_REJECTION_CODES, type RejectionCode, type Rejection, type Accepted, type CommandResult, type Quote } from './results.ts';
export { LIMITS, DEFAULT_CONFIG, type EngineConfig } from './limits.ts';
export { parseCommand, describeIssues } from './parse.ts';
export { canonicalJson, hash64 } from './hash.ts';
export type { EngineSnapshot } from './snapshot.ts';
export type { OfferView, GroupView, PricePointView, RuleSetVersionView } from './views.ts';
export type { AuctionEvent, AuctionView, AuctionAck } from './auctions/index.ts';
export type { ReservationEvent, ReservationView, ReservationAck } from './reservations/index.ts';
export { isGroupOffer } from './state.ts';
