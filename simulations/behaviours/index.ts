// Shopper behaviours by mechanism. A new mechanism (auction: bidding wars with private values, proxy bidders and
// late snipers; reservation: rental queues with random arrivals and rental times) is a new schema in
// ../scenario-schema.ts's `Behaviour` union plus a module here; the switch below then refuses to compile until it
// is wired, and the drivers, metrics and reports need no change beyond the new observations it emits.
import type { Scenario } from '../scenario-schema.ts';
import { unreachable } from '../unreachable.ts';
import { createGroupBehaviour } from './group-behaviour.ts';
import type { ShopperHost, Behaviour } from './types.ts';

export type { ShopperHost, Behaviour, Outcome, ShopperCommand, SimShopper } from './types.ts';

export function createBehaviour(scenario: Scenario, host: ShopperHost): Behaviour {
  const mechanism = scenario.behaviour.mechanism;
  switch (mechanism) {
    case 'group':
      return createGroupBehaviour(scenario, host);
    default:
      return unreachable(mechanism);
  }
}
