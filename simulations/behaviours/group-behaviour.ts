// Group-buy shoppers (see group-schema.ts for the parameters). Each shopper's traits (offer, action, quantity,
// value, patience, friends, whether each friend comes and when) are drawn up front from the shopper's own random
// stream, named by the shopper's id, so they do not depend on what the market answered: two pricing variants see
// the very same people. A friend's id extends the inviter's (`s17.2` is s17's second friend).
import { sampleInt } from '../distributions.ts';
import type { Observation } from '../observations.ts';
import { pickWeighted, streamFor, type Prng } from '../random.ts';
import type { Scenario } from '../scenario-schema.ts';
import type { ShopperHost, Behaviour, Outcome, ShopperCommand, SimShopper } from './types.ts';
import type { GroupBehaviour } from './group-schema.ts';

interface Traits {
  shopper: SimShopper;
  offerId: string;
  action: 'match' | 'open';
  qty: number;
  /** What a unit is worth to them, or null: they take any price. */
  valueMinor: number | null;
  patienceMs: number | null;
  friends: number;
  depth: number;
}

/** A shopper holding (or asking for) a seat. Shoppers who are done are forgotten. */
interface Active {
  traits: Traits;
  groupId: string | null;
  /** A seat that settled before its command's answer came (a join that filled the group settles it at once). */
  settledGroupId: string | null;
  cancelPatience: (() => void) | null;
  done: boolean;
}

/** Refusals after which an invited friend may fall back to being matched elsewhere. */
const INVITE_DEAD_ENDS = new Set(['group_full', 'group_closed', 'unknown_group']);

export function createGroupBehaviour(scenario: Scenario, host: ShopperHost): Behaviour {
  const spec = scenario.behaviour as GroupBehaviour;
  const seed = scenario.seed;
  const offerIds = scenario.offers.map((offer) => offer.id);
  const offerWeights = offerIds.map((id) => [id, spec.offerWeights ? (spec.offerWeights[id] ?? 0) : 1] as const);
  const actionWeights = [['match', spec.action.match], ['open', spec.action.open]] as const;
  const invites = spec.invites;
  /** Live groups and whether they have formed yet, from observations (bounded by the engine's live groups). */
  const groups = new Map<string, 'open' | 'formed'>();
  const active = new Map<string, Active>();

  function drawTraits(rng: Prng, id: string, depth: number, newcomerShare: number, offerId: string | null): Traits {
    // A fixed order of draws, whatever is used later, keeps every trait tied to the same random numbers.
    const newcomer = rng.chance(newcomerShare);
    const offer = pickWeighted(rng, offerWeights);
    const action = pickWeighted(rng, actionWeights);
    const qty = sampleInt(spec.qty, rng, 1);
    const value = spec.valueMinor ? sampleInt(spec.valueMinor, rng, 0) : null;
    const patience = spec.patience ? sampleInt(spec.patience, rng, 0) : null;
    const friends = invites ? sampleInt(invites.count, rng, 0) : 0;
    return { shopper: { id, newcomer }, offerId: offerId ?? offer, action, qty, valueMinor: value, patienceMs: patience, friends, depth };
  }

  function send(traits: Traits, command: ShopperCommand, then: (outcome: Outcome) => void): void {
    host.send(traits.shopper, command, (outcome) => {
      host.observe({
        type: 'command',
        command: command.type,
        shopperId: traits.shopper.id,
        offerId: traits.offerId,
        ok: outcome.ok,
        code: outcome.code,
        groupId: outcome.groupId,
        opened: outcome.opened,
        atMs: host.nowMs,
      });
      then(outcome);
    });
  }

  function finish(state: Active): void {
    if (state.done) return;
    state.done = true;
    state.cancelPatience?.();
    active.delete(state.traits.shopper.id);
    host.finished(state.traits.shopper);
  }

  /** A shopper who has just arrived: quote first when they have a value, then take a seat. */
  function start(traits: Traits, invitedTo: string | null): void {
    const state: Active = { traits, groupId: null, settledGroupId: null, cancelPatience: null, done: false };
    active.set(traits.shopper.id, state);
    if (traits.valueMinor === null) return takeSeat(state, invitedTo, true);
    const quote: ShopperCommand = invitedTo
      ? { type: 'quote', offerId: traits.offerId, groupId: invitedTo, asLeader: false }
      : { type: 'quote', offerId: traits.offerId, asLeader: traits.action === 'open' };
    send(traits, quote, (outcome) => {
      if (!outcome.ok || outcome.unitPriceMinor === null) return finish(state);
      if (outcome.unitPriceMinor > traits.valueMinor!) {
        host.observe({ type: 'walked_away', shopperId: traits.shopper.id, offerId: traits.offerId, quotedMinor: outcome.unitPriceMinor, valueMinor: traits.valueMinor!, atMs: host.nowMs });
        return finish(state);
      }
      takeSeat(state, invitedTo, true);
    });
  }

  function takeSeat(state: Active, invitedTo: string | null, mayFallBack: boolean): void {
    const traits = state.traits;
    const command: ShopperCommand = invitedTo
      ? { type: 'join_group', offerId: traits.offerId, groupId: invitedTo, qty: traits.qty }
      : traits.action === 'open'
        ? { type: 'open_group', offerId: traits.offerId, qty: traits.qty }
        : { type: 'match_group', offerId: traits.offerId, qty: traits.qty };
    send(traits, command, (outcome) => {
      if (!outcome.ok || outcome.groupId === null) {
        if (invitedTo && mayFallBack && invites?.fallbackToMatch && outcome.code !== null && INVITE_DEAD_ENDS.has(outcome.code)) {
          state.traits = { ...traits, action: 'match' };
          return takeSeat(state, null, false);
        }
        return finish(state);
      }
      if (state.done) return;
      if (state.settledGroupId === outcome.groupId) return finish(state);
      state.groupId = outcome.groupId;
      if (traits.patienceMs !== null) state.cancelPatience = host.after(traits.patienceMs, () => losePatience(state));
      const leads = outcome.opened === true;
      if (invites && traits.depth < invites.maxDepth && (invites.who === 'every_member' || leads)) inviteFriends(traits, outcome.groupId);
    });
  }

  function losePatience(state: Active): void {
    const groupId = state.groupId;
    if (state.done || groupId === null || groups.get(groupId) !== 'open') return;
    host.observe({ type: 'patience_ran_out', shopperId: state.traits.shopper.id, offerId: state.traits.offerId, groupId, atMs: host.nowMs });
    send(state.traits, { type: 'leave_group', offerId: state.traits.offerId, groupId }, (outcome) => {
      if (outcome.ok) finish(state);
    });
  }

  function inviteFriends(inviter: Traits, groupId: string): void {
    for (let k = 1; k <= inviter.friends; k++) {
      const id = `${inviter.shopper.id}.${k}`;
      const rng = streamFor(seed, `shopper:${id}`);
      const comes = rng.chance(invites!.acceptProbability);
      const delayMs = sampleInt(invites!.delay, rng, 0);
      const traits = drawTraits(rng, id, inviter.depth + 1, invites!.newcomerShare ?? scenario.shoppers.newcomerShare, inviter.offerId);
      if (!comes) {
        host.observe({ type: 'invite_declined', shopperId: id, atMs: host.nowMs });
        continue;
      }
      host.after(delayMs, () => {
        if (!host.admitShopper()) return host.observe({ type: 'shopper_capped', atMs: host.nowMs });
        host.observe({ type: 'shopper_arrived', shopperId: id, offerId: traits.offerId, invitedBy: inviter.shopper.id, atMs: host.nowMs });
        start(traits, groupId);
      });
    }
  }

  return {
    arrive(index) {
      if (!host.admitShopper()) return host.observe({ type: 'shopper_capped', atMs: host.nowMs });
      const id = `s${index}`;
      const traits = drawTraits(streamFor(seed, `shopper:${id}`), id, 0, scenario.shoppers.newcomerShare, null);
      host.observe({ type: 'shopper_arrived', shopperId: id, offerId: traits.offerId, invitedBy: null, atMs: host.nowMs });
      start(traits, null);
    },
    onObservation(observation: Observation) {
      switch (observation.type) {
        case 'group_opened':
          groups.set(observation.groupId, 'open');
          return;
        case 'group_formed':
          groups.set(observation.groupId, 'formed');
          return;
        case 'group_completed':
        case 'group_failed':
          groups.delete(observation.groupId);
          return;
        case 'seat_settled':
        case 'seat_released': {
          const state = active.get(observation.shopperId);
          if (!state) return;
          if (state.groupId === observation.groupId) finish(state);
          else if (state.groupId === null) state.settledGroupId = observation.groupId;
          return;
        }
        default:
          return;
      }
    },
  };
}

