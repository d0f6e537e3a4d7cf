// The mechanisms the simulator drives, one generator module each: a new mechanism is one new file implementing
// `MechanismGenerator` and one line here (docs/simulation-testing.md, "Adding a mechanism").
import { auctionGenerator } from './auction.ts';
import { groupBuyGenerator } from './group-buy.ts';
import type { MechanismGenerator } from './generator.ts';
import { reservationGenerator } from './reservation.ts';

export const MECHANISM_GENERATORS: readonly MechanismGenerator[] = [groupBuyGenerator, auctionGenerator, reservationGenerator];

export { merchantCommand } from './merchant.ts';
export { ruleSetCommand } from './rule-sets.ts';
export { REFERENCE_PRICE_MINOR } from './reservation.ts';
export type { Draft, GenContext, MechanismGenerator, ReferenceKind } from './generator.ts';
