// What one engine step (a command, or a deadline settled at its own time) works with, and the bookkeeping every
// mechanism shares: events out, offers to reprice, offers whose stock moved, shoppers whose stakes moved. The
// engine creates one Ctx per command and finishes it (reprices, stock events, portfolios) after each step.
import type { EngineEvent } from '../events.ts';
import type { AnyMechanism } from '../mechanism.ts';
import type { Registry } from '../registry.ts';
import type { EngineState, Offer } from './state.ts';

export interface Ctx {
  state: EngineState;
  /** The step's time: the command's, or the deadline's while one settles. */
  nowMs: number;
  events: EngineEvent[];
  /** The mechanisms, by type: how kernel code reaches an offer's mechanism without importing it. */
  mechanisms: Registry;
  /** Offers whose pricing inputs changed; repriced (and emptied) after each step. */
  repriceQueue: Offer[];
  /** Offers whose held, sold or total units changed; one `stock_changed` each at the end of the command. */
  stockQueue: Offer[];
  /** Shoppers whose stake in an offer may have changed (pairs, flat: offer, shopper, offer, shopper…). */
  touched: (Offer | string)[];
}

/** Marks an offer for a reprice once the current step is done (a join, a leave, an edit, a settlement…). */
export function pricingInputsChanged(ctx: Ctx, offer: Offer): void {
  if (!ctx.repriceQueue.includes(offer)) ctx.repriceQueue.push(offer);
}

/** Marks an offer whose stock moved: a `stock_changed` with its units goes out after the command's other events. */
export function stockChanged(ctx: Ctx, offer: Offer): void {
  if (!ctx.stockQueue.includes(offer)) ctx.stockQueue.push(offer);
}

/**
 * The shopper's stake in the offer may have changed (it joined, bid, was served, left, was settled…): its portfolio
 * is brought up to date from the mechanism after the step. Touching a shopper whose stake did not change is harmless.
 */
export function touch(ctx: Ctx, offer: Offer, shopperId: string): void {
  ctx.touched.push(offer, shopperId);
}

/** The mechanism of an offer. One cast, here: `offer.market.type` names the registry entry that made the market. */
export function mechanismOf(mechanisms: Registry, offer: Offer): AnyMechanism {
  return mechanisms[offer.market.type] as AnyMechanism;
}
