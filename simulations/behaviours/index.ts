// Shopper behaviours by mechanism: group-buys (拼团: quotes, matching, patience, invite cascades), auctions (bidding
// wars: private values, proxy, incremental and sniping bidders) and reservation queues (rental queues: patience,
// holds confirmed, declined or left to expire, random rental times). A new mechanism is a new schema in
// ../scenario-schema.ts's `Behaviour` union plus a module here; the switch below then refuses to compile until it is
// wired (docs/simulations.md, "Adding a mechanism").
import type { Scenario } from '../scenario-schema.ts';
import { unreachable } from '../unreachable.ts';
import { createAuctionBehaviour } from './auction-behaviour.ts';
import { createGroupBehaviour } from './group-behaviour.ts';
import { createReservationBehaviour } from './reservation-behaviour.ts';
import type { ShopperHost, Behaviour } from './types.ts';

export type { ShopperHost, Behaviour, Outcome, ShopperCommand, SimShopper, AuctionOutcome, ReservationOutcome } from './types.ts';

export function createBehaviour(scenario: Scenario, host: ShopperHost): Behaviour {
  const mechanism = scenario.behaviour.mechanism;
  switch (mechanism) {
    case 'group':
      return createGroupBehaviour(scenario, host);
    case 'auction':
      return createAuctionBehaviour(scenario, host);
    case 'reservation':
      return createReservationBehaviour(scenario, host);
    default:
      return unreachable(mechanism);
  }
}
