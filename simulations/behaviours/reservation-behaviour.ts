// Renters of a reservation queue (see reservation-schema.ts). Each renter's traits (offer, priority class, credit
// score, value, patience, what it does with a hold, how fast it answers, how long it rents) are drawn up front from
// its own random stream, so variants meet the very same renters. A renter learns that a unit is held for it from
// the join's answer (served at once) or from the offer's public `hold_offered`; every step is idempotent on the
// hold's id, because in a live run the answer and the event race.
import { sampleInt } from '../distributions.ts';
import type { Observation } from '../observations.ts';
import { pickWeighted, streamFor } from '../random.ts';
import type { Scenario } from '../scenario-schema.ts';
import { unreachable } from '../unreachable.ts';
import type { ReservationBehaviour } from './reservation-schema.ts';
import { offerPicker, sendObserved } from './shared.ts';
import type { Behaviour, Outcome, ShopperCommand, ShopperHost, SimShopper } from './types.ts';

type HoldResponse = 'confirm' | 'decline' | 'ignore';

interface Renter {
  shopper: SimShopper;
  offerId: string;
  valueMinor: number | null;
  patienceMs: number | null;
  response: HoldResponse;
  confirmDelayMs: number;
  rentalMs: number;
  phase: 'quoting' | 'joining' | 'waiting' | 'holding' | 'renting' | 'done';
  holdId: string | null;
  /** Cancels the renter's pending timer (patience, answering the hold, returning the unit). */
  cancelTimer: (() => void) | null;
}

export function createReservationBehaviour(scenario: Scenario, host: ShopperHost): Behaviour {
  const spec = scenario.behaviour as ReservationBehaviour;
  const pickOffer = offerPicker(scenario, spec.offerWeights);
  const classWeights = spec.priorityClass.map((weight, i) => [String(i), weight] as const);
  const responseWeights = [['confirm', spec.holdResponse.confirm], ['decline', spec.holdResponse.decline], ['ignore', spec.holdResponse.ignore]] as const;
  /** Renters with something still to do; bounded by the renters of the run that are not done. */
  const active = new Map<string, Renter>();

  const send = (renter: Renter, command: ShopperCommand, then: (outcome: Outcome) => void) => sendObserved(host, renter.shopper, renter.offerId, command, then);

  function finish(renter: Renter): void {
    if (renter.phase === 'done') return;
    renter.phase = 'done';
    renter.cancelTimer?.();
    renter.cancelTimer = null;
    active.delete(renter.shopper.id);
    host.finished(renter.shopper);
  }

  function later(renter: Renter, delayMs: number, action: () => void): void {
    renter.cancelTimer?.();
    renter.cancelTimer = host.after(delayMs, () => {
      renter.cancelTimer = null;
      if (renter.phase !== 'done') action();
    });
  }

  function join(renter: Renter): void {
    renter.phase = 'joining';
    send(renter, { type: 'join_queue', offerId: renter.offerId }, (outcome) => {
      if (!outcome.ok) return finish(renter);
      const holdId = outcome.reservation?.holdId ?? null;
      if (holdId !== null) return offered(renter, holdId);
      // The hold may have been seen already (live: the offer's event can beat the answer).
      if (renter.phase !== 'joining') return;
      renter.phase = 'waiting';
      if (renter.patienceMs !== null) later(renter, renter.patienceMs, () => losePatience(renter));
    });
  }

  function losePatience(renter: Renter): void {
    if (renter.phase !== 'waiting') return;
    host.observe({ type: 'patience_ran_out', shopperId: renter.shopper.id, offerId: renter.offerId, groupId: null, atMs: host.nowMs });
    send(renter, { type: 'leave_queue', offerId: renter.offerId }, (outcome) => {
      // Refused (not_queued): a unit was held for the renter meanwhile; its hold_offered is on its way.
      if (outcome.ok) finish(renter);
    });
  }

  function offered(renter: Renter, holdId: string): void {
    if (renter.holdId === holdId || renter.phase === 'renting' || renter.phase === 'done') return;
    renter.phase = 'holding';
    renter.holdId = holdId;
    renter.cancelTimer?.();
    renter.cancelTimer = null;
    switch (renter.response) {
      case 'confirm':
        return later(renter, renter.confirmDelayMs, () => confirm(renter, holdId));
      case 'decline':
        return later(renter, renter.confirmDelayMs, () => send(renter, { type: 'release_hold', offerId: renter.offerId, holdId }, () => finish(renter)));
      case 'ignore':
        // Nothing: the hold expires (hold_ended) and the unit passes on.
        return;
      default:
        return unreachable(renter.response);
    }
  }

  function confirm(renter: Renter, holdId: string): void {
    if (renter.phase !== 'holding') return;
    send(renter, { type: 'confirm_hold', offerId: renter.offerId, holdId }, (outcome) => {
      if (!outcome.ok || renter.phase === 'done') return finish(renter);
      renter.phase = 'renting';
      const rentalId = outcome.reservation?.rentalId ?? holdId;
      later(renter, renter.rentalMs, () => send(renter, { type: 'return_unit', offerId: renter.offerId, rentalId }, () => finish(renter)));
    });
  }

  return {
    arrive(index) {
      if (!host.admitShopper()) return host.observe({ type: 'shopper_capped', atMs: host.nowMs });
      const id = `s${index}`;
      const rng = streamFor(scenario.seed, `shopper:${id}`);
      // A fixed order of draws, whatever is used later, keeps every trait tied to the same random numbers.
      const newcomer = rng.chance(scenario.shoppers.newcomerShare);
      const offerId = pickOffer(rng);
      const priorityClass = Number(pickWeighted(rng, classWeights));
      const creditScore = spec.creditScore ? Math.min(1_000, sampleInt(spec.creditScore, rng, 0)) : null;
      const valueMinor = spec.valueMinor ? sampleInt(spec.valueMinor, rng, 0) : null;
      const patienceMs = spec.patience ? sampleInt(spec.patience, rng, 0) : null;
      const response = pickWeighted(rng, responseWeights);
      const confirmDelayMs = sampleInt(spec.confirmDelay, rng, 0);
      const rentalMs = sampleInt(spec.rentalDuration, rng, 0);
      const renter: Renter = {
        shopper: { id, newcomer, priorityClass, ...(creditScore !== null ? { creditScore } : {}) },
        offerId,
        valueMinor,
        patienceMs,
        response,
        confirmDelayMs,
        rentalMs,
        phase: 'quoting',
        holdId: null,
        cancelTimer: null,
      };
      active.set(id, renter);
      host.observe({ type: 'shopper_arrived', shopperId: id, offerId, invitedBy: null, atMs: host.nowMs });
      host.observe({ type: 'renter_arrived', shopperId: id, offerId, priorityClass, creditScore, atMs: host.nowMs });
      if (valueMinor === null) return join(renter);
      send(renter, { type: 'quote', offerId, asLeader: false }, (outcome) => {
        if (renter.phase === 'done') return;
        if (!outcome.ok || outcome.unitPriceMinor === null) return finish(renter);
        if (outcome.unitPriceMinor > valueMinor) {
          host.observe({ type: 'walked_away', shopperId: id, offerId, quotedMinor: outcome.unitPriceMinor, valueMinor, atMs: host.nowMs });
          return finish(renter);
        }
        join(renter);
      });
    },
    onObservation(o: Observation) {
      switch (o.type) {
        case 'hold_offered': {
          const renter = active.get(o.shopperId);
          if (renter && renter.offerId === o.offerId) offered(renter, o.holdId);
          return;
        }
        case 'hold_ended': {
          const renter = active.get(o.shopperId);
          if (renter && renter.holdId === o.holdId && renter.phase === 'holding') finish(renter);
          return;
        }
        case 'offer_closed':
          // Waiting renters are dropped and holds released; rentals run on and are returned.
          for (const renter of [...active.values()]) {
            if (renter.offerId === o.offerId && renter.phase !== 'renting') finish(renter);
          }
          return;
        default:
          return;
      }
    },
  };
}
