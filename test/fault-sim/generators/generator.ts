// The contract between the simulator and its command generators. Each mechanism (group-buys today; auctions and
// reservation queues next) has its own generator module in this folder, listed in `index.ts`; merchant commands
// that every offer shares (edit, pause, resume, close) and merchant rule sets have theirs too. A generator only
// drafts commands: the simulator stamps their time, idempotency key and delivery, and injects the faults.
import type { Command } from '../../../engine/index.ts';
import type { IdPools } from '../id-pools.ts';
import type { MarketKnowledge } from '../knowledge.ts';
import type { Prng } from '../prng.ts';

type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;

/**
 * A command without the fields the simulator stamps on delivery. Drafts spell out every field that has a default
 * (`qty`, `newcomer`, the mechanism's settings…): the simulator fingerprints commands as sent to know which keyed
 * retries the engine must answer from memory, and a default left out would make two equal commands look different.
 */
export type Draft = DistributiveOmit<Command, 'nowMs' | 'idempotencyKey'>;

export interface GenContext {
  rng: Prng;
  ids: IdPools;
  knowledge: MarketKnowledge;
  /** The simulated time the command is drafted at; offsets (an offer's end, a rule set's start) are relative to it. */
  nowMs: number;
}

export interface MechanismGenerator {
  /** The mechanism's `type` in `create_offer` ('group', …). */
  readonly mechanism: string;
  /**
   * Whether test/engine/reference-model.ts models this mechanism. Seeds that mix in a mechanism it does not model
   * run in engine-only mode: every check except the comparison with the reference (see docs/simulation-testing.md).
   */
  readonly modelledByReference: boolean;
  /** A `create_offer` of this mechanism under the given ids. */
  createOffer(ctx: GenContext, offerId: string, merchantId: string): Draft;
  /** A shopper's command against this mechanism's offers (aimed with `ctx.knowledge`, sometimes at stray ids). */
  shopperCommand(ctx: GenContext): Draft;
}

/**
 * An offer id for a shopper command: mostly a known open offer of the mechanism (hot ids first), sometimes a closed
 * one, sometimes any pooled id (unknown offers included).
 */
export function offerIdFor(ctx: GenContext, mechanism: string): string {
  const { rng } = ctx;
  const known = ctx.knowledge.offersOf(mechanism);
  const open = known.filter((offer) => !offer.closed);
  const pool = open.length > 0 && rng.chance(0.85) ? open : known;
  if (pool.length === 0 || rng.chance(0.08)) return ctx.ids.offers.pick(rng);
  const hot = pool.filter((offer) => ctx.ids.offers.hotIds().includes(offer.offerId));
  return rng.pick(hot.length > 0 && rng.chance(0.7) ? hot : pool).offerId;
}
