// The mechanisms the simulator drives, one generator module each. A new mechanism (auctions, reservation queues)
// is one new file implementing `MechanismGenerator` and one line here; seeds whose mix includes a mechanism the
// reference model does not know run in engine-only mode.
import { groupBuyGenerator } from './group-buy.ts';
import type { MechanismGenerator } from './generator.ts';

export const MECHANISM_GENERATORS: readonly MechanismGenerator[] = [groupBuyGenerator];

export { merchantCommand } from './merchant.ts';
export { ruleSetCommand } from './rule-sets.ts';
export type { Draft, GenContext, MechanismGenerator } from './generator.ts';
