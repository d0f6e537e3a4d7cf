import type { EngineEvent } from './events.ts';
import type { EngineState, Offer } from './state.ts';

/** What a command handler works with: the state, the command's effective time and the events it emits. */
export interface Ctx {
  state: EngineState;
  nowMs: number;
  events: EngineEvent[];
  /** Offers whose pricing inputs changed; repriced (and emptied) after each command and each deadline. */
  repriceQueue: Offer[];
}

/** Marks an offer for a reprice once the current step is done (a join, a leave, an edit, a settlement…). */
export function pricingInputsChanged(ctx: Ctx, offer: Offer): void {
  if (!ctx.repriceQueue.includes(offer)) ctx.repriceQueue.push(offer);
}

/** Marks a switch as exhaustive: adding a union member without handling it fails to compile. */
export function unreachable(value: never): never {
  throw new Error(`unreachable: ${JSON.stringify(value)}`);
}
