// Pieces every mechanism's behaviour uses alike: the schema atoms (probabilities, weights, which offer an arrival
// goes for) and sending a command so that its outcome is observed (counted by command and refusal code).
import { z } from 'zod';
import type { Prng } from '../random.ts';
import { pickWeighted } from '../random.ts';
import type { Scenario } from '../scenario-schema.ts';
import type { Outcome, ShopperCommand, ShopperHost, SimShopper } from './types.ts';

export const Probability = z.number().min(0, 'must be ≥ 0').max(1, 'must be ≤ 1');
export const Weight = z.number().min(0, 'must be ≥ 0').max(1_000_000);
/** Which offer an arrival goes for, by weight (offer id → weight); default: all offers alike. */
export const OfferWeights = z.record(z.string(), Weight).optional();

/** Draws an offer id by the behaviour's `offerWeights` (all alike without them). */
export function offerPicker(scenario: Scenario, weights: Record<string, number> | undefined): (rng: Prng) => string {
  const table = scenario.offers.map((offer) => [offer.id, weights ? (weights[offer.id] ?? 0) : 1] as const);
  return (rng) => pickWeighted(rng, table);
}

/** Sends `command` for `shopper` and observes its outcome before `then` sees it. */
export function sendObserved(host: ShopperHost, shopper: SimShopper, offerId: string, command: ShopperCommand, then: (outcome: Outcome) => void): void {
  host.send(shopper, command, (outcome) => {
    host.observe({
      type: 'command',
      command: command.type,
      shopperId: shopper.id,
      offerId,
      ok: outcome.ok,
      code: outcome.code,
      groupId: outcome.groupId,
      opened: outcome.opened,
      atMs: host.nowMs,
    });
    then(outcome);
  });
}
