// The mechanisms the engine sells by, and the engine-wide unions derived from them. Adding a mechanism is one
// folder implementing `Mechanism` (mechanism.ts) and one line below; the compiler then lists whatever the new
// folder still lacks, and commands, events, codes, snapshots, views and effects pick it up from here.
import type { Mechanism, MechanismTypes } from './mechanism.ts';
import { auctions } from './auctions/index.ts';
import { groupBuy } from './group-buy/index.ts';
import { reservations } from './reservations/index.ts';

export const MECHANISMS = {
  group: groupBuy,
  auction: auctions,
  reservation: reservations,
};

export type Registry = typeof MECHANISMS;
export type MarketType = keyof Registry;

/** The types bundle of mechanism `K`. */
export type TypesOf<K extends MarketType> = Registry[K] extends Mechanism<infer X extends MechanismTypes> ? X : never;
type Each<F extends keyof MechanismTypes> = { [K in MarketType]: TypesOf<K>[F] }[MarketType];
type UnionToIntersection<U> = (U extends unknown ? (value: U) => void : never) extends (value: infer I) => void ? I : never;

/** An offer's market: one mechanism's state, discriminated by `type`. */
export type Market = Each<'market'>;
export type MechanismSettings = Each<'settings'>;
export type MechanismSettingsSchema = Each<'settingsSchema'>;
export type MechanismCommandSchema = Each<'commandSchemas'>[number];
export type MechanismCommand = Each<'command'>;
export type MechanismEvent = Each<'event'>;
export type MechanismRejectionCode = Each<'rejectionCode'>;
export type MarketData = Each<'data'>;
/** Every mechanism's fields of an accepted command's result, together (each present only on its own commands). */
export type MechanismAck = UnionToIntersection<Each<'ack'>>;
/** Every mechanism's own `edit_offer.patch` fields, together. */
export type MechanismPatchShape = UnionToIntersection<Each<'patch'>>;
/** Each mechanism's state across its offers, by type (null for those that keep none). */
export type MechanismGlobals = { [K in MarketType]: TypesOf<K>['global'] };
export type MechanismGlobalsData = { [K in MarketType]: TypesOf<K>['globalData'] };

export const MECHANISM_LIST = Object.values(MECHANISMS);

/** Every code a mechanism (not the core) answers with. */
export const MECHANISM_REJECTION_CODES: readonly MechanismRejectionCode[] = MECHANISM_LIST.flatMap((mechanism) => mechanism.rejectionCodes);
