// The contract of a per-offer reference follower (offer-references.ts): one naive model of one auction or
// reservation offer, fed every delivery the engine ran, comparing what it can.
import type { Applied, Command, EngineEvent, EngineSnapshot } from '../../engine/index.ts';
import type { SimEngine } from './engine-port.ts';

export interface FollowStep {
  cmd: Command;
  applied: Applied;
  /**
   * Whether the engine ran the command itself: false for a keyed duplicate answered from memory or a reused key,
   * which only let time pass (deadlines due settle first either way).
   */
  fresh: boolean;
  /** The time the command runs at: max(the engine's clock before it, its nowMs). */
  runsAtMs: number;
  engine: SimEngine;
  snapshot: EngineSnapshot;
  /** The delivery's events of this offer, in order. */
  events: readonly EngineEvent[];
}

export interface OfferFollower {
  readonly offerId: string;
  readonly mechanism: 'auction' | 'reservation';
  /**
   * Advances the model over one delivery and compares (throws a CheckFailure on a difference). Returns why the
   * model can no longer follow the offer (an accepted change it does not model), or null.
   */
  step(step: FollowStep): string | null;
  /** The model's next deadline for this offer, or null. */
  nextDeadlineMs(): number | null;
}

/** Whether the command names this offer (every auction, reservation and merchant command does; ticks do not). */
export function targets(cmd: Command, offerId: string): boolean {
  return 'offerId' in cmd && cmd.offerId === offerId;
}

/** The engine's answer as the models put it: 'accepted' or the refusal code. */
export function outcomeOf(applied: Applied): string {
  return applied.result.ok ? 'accepted' : applied.result.code;
}
