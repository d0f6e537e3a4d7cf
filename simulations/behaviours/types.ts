// The contract between shopper behaviour and the two ways of running it. A behaviour module decides what shoppers
// do; a host (the in-process engine on a simulated clock, or real WebSocket clients on a real one) carries it
// out and reports back. Behaviours never see which host runs them: they send commands, wait on timers in
// simulated time and read observations, so one scenario means the same thing in both modes.
import type { Observation } from '../observations.ts';
import type { Scenario } from '../scenario-schema.ts';

/**
 * What a shopper may ask of the market; the host adds who is asking, what the platform vouches for them and when
 * (the gateway does it from the token). Hold and rental ids are opaque: a behaviour passes back what it was given.
 */
export type ShopperCommand =
  | { type: 'quote'; offerId: string; groupId?: string; asLeader: boolean }
  | { type: 'match_group'; offerId: string; qty: number }
  | { type: 'open_group'; offerId: string; qty: number }
  | { type: 'join_group'; offerId: string; groupId: string; qty: number }
  | { type: 'leave_group'; offerId: string; groupId: string }
  | { type: 'place_bid'; offerId: string; maxBidMinor: number; qty: number }
  | { type: 'buy_now'; offerId: string }
  | { type: 'accept_price'; offerId: string }
  | { type: 'join_queue'; offerId: string }
  | { type: 'leave_queue'; offerId: string }
  | { type: 'confirm_hold'; offerId: string; holdId: string }
  | { type: 'release_hold'; offerId: string; holdId: string }
  | { type: 'return_unit'; offerId: string; rentalId: string };

/** What an accepted auction command answered (times in simulated ms). */
export interface AuctionOutcome {
  /** English: whether the shopper leads after its bid; null for the other kinds. */
  leading: boolean | null;
  /** English: the public price now; buy-now and Dutch: the price paid; sealed kinds: null. */
  priceMinor: number | null;
  closed: boolean;
  endMs: number | null;
}

/** What an accepted reservation command answered (times in simulated ms). */
export interface ReservationOutcome {
  /** `join_queue` served at once: the hold offered. */
  holdId: string | null;
  expiresAtMs: number | null;
  /** `confirm_hold`: the rental started (the hold's id). */
  rentalId: string | null;
  /** `join_queue` that waits: shoppers served before this one. */
  position: number | null;
}

/** A command's answer. `code` is the engine's or gateway's refusal code, or a `client_*` code for a request that never got one. */
export interface Outcome {
  ok: boolean;
  code: string | null;
  groupId: string | null;
  opened: boolean | null;
  /** `quote`: the unit price quoted. */
  unitPriceMinor: number | null;
  auction: AuctionOutcome | null;
  reservation: ReservationOutcome | null;
}

export interface SimShopper {
  /** Unique in the run; in a live run the host prefixes it so runs against one server never collide. */
  id: string;
  newcomer: boolean;
  /** Facts the platform vouches for (live: claims of the shopper's token): the most it may commit in auctions… */
  exposureLimitMinor?: number;
  /** …its reservation priority class (0 the highest) and its credit score (0–1000, may waive deposits). */
  priorityClass?: number;
  creditScore?: number;
}

export interface ShopperHost {
  /** Simulated time now, in ms since the epoch. */
  readonly nowMs: number;
  /** Sends a command as `shopper`; `then` runs once with its outcome (in-process at once, live when the answer comes). */
  send(shopper: SimShopper, command: ShopperCommand, then: (outcome: Outcome) => void): void;
  /**
   * Runs `task` after `delayMs` of simulated time. The returned function cancels it: a cancelled task no longer
   * keeps the run going (a settled shopper's patience timer should not hold the end of the run back).
   */
  after(delayMs: number, task: () => void): () => void;
  observe(observation: Observation): void;
  /** The shopper will send nothing more (live: its connection may close once its seat settled). */
  finished(shopper: SimShopper): void;
  /** Takes one place from `shoppers.max`; false when it is used up (the caller reports `shopper_capped`). */
  admitShopper(): boolean;
}

/** One mechanism's shopper behaviour. */
export interface Behaviour {
  /** The `index`-th fresh arrival of the run (numbered from 0 in arrival order). */
  arrive(index: number): void;
  /** Every observation of the run, in order, after metrics have seen it. */
  onObservation(observation: Observation): void;
}

export type BehaviourFactory = (scenario: Scenario, host: ShopperHost) => Behaviour;
