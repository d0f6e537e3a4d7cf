// Shoppers' portfolios: in which offers each shopper has a live stake, and what it has committed there. They are
// engine state (snapshotted, hashed, checked by invariants), so the `shopper:<id>` view and cross-auction exposure
// are decided by the single writer, the same in a replay as live.
//
// How they stay right: a mechanism never edits a portfolio. It `touch`es every shopper whose stake a step may have
// changed (kernel/context.ts), and after the step the kernel asks the mechanism what the stake is now
// (`Mechanism.involvement`) and records that. A step that forgets to touch a shopper leaves a portfolio behind the
// market, which `portfolioViolations` (run after every step in tests) reports against a full recomputation.
import type { Registry } from '../registry.ts';
import { mechanismOf, type Ctx } from './context.ts';
import type { EngineState, Offer, Portfolio } from './state.ts';

/** Brings the portfolios of every shopper the step touched up to date, and forgets what it touched. */
export function settleTouched(ctx: Ctx): void {
  const touched = ctx.touched;
  if (touched.length === 0) return;
  for (let i = 0; i < touched.length; i += 2) {
    const offer = touched[i] as Offer;
    const shopperId = touched[i + 1] as string;
    const involvement = mechanismOf(ctx.mechanisms, offer).involvement(offer, shopperId);
    record(ctx.state, shopperId, offer.id, involvement === null ? null : involvement.exposureMinor);
  }
  touched.length = 0;
}

function record(state: EngineState, shopperId: string, offerId: string, exposureMinor: number | null): void {
  let portfolio = state.portfolios.get(shopperId);
  const before = portfolio?.stakes.get(offerId);
  if (exposureMinor === null) {
    if (portfolio === undefined || before === undefined) return;
    portfolio.stakes.delete(offerId);
    portfolio.exposureMinor -= before;
    if (portfolio.stakes.size === 0) state.portfolios.delete(shopperId);
    return;
  }
  if (portfolio === undefined) state.portfolios.set(shopperId, (portfolio = { stakes: new Map(), exposureMinor: 0 }));
  portfolio.stakes.set(offerId, exposureMinor);
  portfolio.exposureMinor += exposureMinor - (before ?? 0);
}

/** What the shopper has committed in every offer but `offerId` (a bid there replaces the shopper's own bid). */
export function exposureElsewhere(state: EngineState, shopperId: string, offerId: string): number {
  const portfolio = state.portfolios.get(shopperId);
  if (portfolio === undefined) return 0;
  return portfolio.exposureMinor - (portfolio.stakes.get(offerId) ?? 0);
}

/** Every portfolio recomputed from the mechanisms, shoppers and their offers in the engine's offer order. */
export function recomputePortfolios(state: EngineState, mechanisms: Registry): Map<string, Portfolio> {
  const portfolios = new Map<string, Portfolio>();
  for (const offer of state.offers.values()) {
    const mechanism = mechanismOf(mechanisms, offer);
    for (const shopperId of mechanism.participants(offer)) {
      const involvement = mechanism.involvement(offer, shopperId);
      if (involvement === null) continue;
      let portfolio = portfolios.get(shopperId);
      if (portfolio === undefined) portfolios.set(shopperId, (portfolio = { stakes: new Map(), exposureMinor: 0 }));
      if (portfolio.stakes.has(offer.id)) continue;
      portfolio.stakes.set(offer.id, involvement.exposureMinor);
      portfolio.exposureMinor += involvement.exposureMinor;
    }
  }
  return portfolios;
}

/** The portfolios as kept against a recomputation (the order of a shopper's offers aside: it records history). */
export function portfolioViolations(state: EngineState, mechanisms: Registry, fail: (message: string) => void): void {
  const expected = recomputePortfolios(state, mechanisms);
  for (const [shopperId, portfolio] of state.portfolios) {
    const want = expected.get(shopperId);
    if (want === undefined) {
      fail(`portfolio of ${shopperId}: lists ${[...portfolio.stakes.keys()].join(', ')} but has no live stake anywhere`);
      continue;
    }
    let sum = 0;
    for (const [offerId, exposureMinor] of portfolio.stakes) {
      sum += exposureMinor;
      if (want.stakes.get(offerId) !== exposureMinor) fail(`portfolio of ${shopperId}: ${offerId} at ${exposureMinor}, the market says ${want.stakes.get(offerId) ?? 'no stake'}`);
    }
    if (portfolio.stakes.size !== want.stakes.size) fail(`portfolio of ${shopperId}: ${portfolio.stakes.size} offers, the market says ${want.stakes.size}`);
    if (sum !== portfolio.exposureMinor) fail(`portfolio of ${shopperId}: exposure ${portfolio.exposureMinor} ≠ Σ stakes ${sum}`);
  }
  for (const shopperId of expected.keys()) if (!state.portfolios.has(shopperId)) fail(`portfolio of ${shopperId}: missing, though it has live stakes`);
}
